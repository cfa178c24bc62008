// Attacks on the signature bytes: stripped, altered, truncated, re-spelt, and ECDSA "psychic" signatures.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { b64url, generateSigningKey, mint, rejectionOf, verifierFor } from '../helpers/tokens.js';
import type { SigningKey } from '../helpers/tokens.js';

let es256: SigningKey;
let other: SigningKey;

// Order of the P-256 group (FIPS 186-4 D.1.2.3): r = s = n is the other classic psychic signature.
const P256_ORDER = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

beforeAll(async () => {
  [es256, other] = await Promise.all([
    generateSigningKey('ES256', 'es-1'),
    generateSigningKey('ES256', 'es-1'),
  ]);
});

function withSignature(token: string, signature: string): string {
  const [header = '', payload = ''] = token.split('.');
  return `${header}.${payload}.${signature}`;
}

async function codeOf(token: string): Promise<unknown> {
  return ((await rejectionOf(verifierFor([es256]).verify(token))) as { code?: unknown }).code;
}

describe('stripped, altered and truncated signatures', () => {
  it('refuses a stripped signature (header.payload.)', async () => {
    expect(await codeOf(withSignature(mint(es256), ''))).toBe('signature_invalid');
  });

  it('refuses a token without its signature segment (header.payload)', async () => {
    const [header, payload] = mint(es256).split('.');
    expect(await codeOf(`${header ?? ''}.${payload ?? ''}`)).toBe('token_malformed');
  });

  it('refuses a signature with one byte flipped', async () => {
    const signature = Buffer.from(mint(es256).split('.')[2] ?? '', 'base64url');
    signature[10] = (signature[10] ?? 0) ^ 0x01;
    expect(await codeOf(withSignature(mint(es256), b64url(signature)))).toBe('signature_invalid');
  });

  it('refuses a payload altered after signing', async () => {
    const [header = '', , signature = ''] = mint(es256).split('.');
    const payload = mint(es256, { claims: { sub: 'admin' } }).split('.')[1] ?? '';
    expect(await codeOf(`${header}.${payload}.${signature}`)).toBe('signature_invalid');
  });

  it('refuses a signature made by another key under the same kid', async () => {
    expect(await codeOf(mint(other))).toBe('signature_invalid');
  });

  it.each([1, 2, 3, 4, 43, 85])('refuses a signature truncated by %i characters', async (cut) => {
    const signature = mint(es256).split('.')[2] ?? '';
    expect(await codeOf(withSignature(mint(es256), signature.slice(0, -cut)))).toBe('signature_invalid');
  });

  it('refuses a signature with bytes appended', async () => {
    const signature = Buffer.from(mint(es256).split('.')[2] ?? '', 'base64url');
    const longer = Buffer.concat([signature, Buffer.from([0])]);
    expect(await codeOf(withSignature(mint(es256), b64url(longer)))).toBe('signature_invalid');
  });

  it('refuses a DER-encoded ECDSA signature (JWS uses the raw r||s form)', async () => {
    const token = mint(es256);
    const raw = Buffer.from(token.split('.')[2] ?? '', 'base64url');
    const der = toDer(raw.subarray(0, 32), raw.subarray(32));
    expect(await codeOf(withSignature(token, b64url(der)))).toBe('signature_invalid');
  });

  it('refuses a valid signature re-spelt with non-zero padding bits (same bytes, other text)', async () => {
    const token = mint(es256);
    const signature = token.split('.')[2] ?? '';
    // 64 bytes make 86 characters; the last one carries 4 unused bits. 'A' + 1 keeps the bytes, changes the text.
    const last = signature.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelt = signature.slice(0, -1) + (alphabet[alphabet.indexOf(last) + 1] ?? 'B');
    expect(Buffer.from(respelt, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(await codeOf(withSignature(token, respelt))).toBe('signature_invalid');
  });
});

describe('ECDSA psychic signatures (CVE-2022-21449)', () => {
  it('refuses r = s = 0 in raw P1363 form', async () => {
    expect(await codeOf(withSignature(mint(es256), b64url(Buffer.alloc(64))))).toBe('signature_invalid');
  });

  it('refuses r = s = n in raw P1363 form', async () => {
    const signature = Buffer.concat([P256_ORDER, P256_ORDER]);
    expect(await codeOf(withSignature(mint(es256), b64url(signature)))).toBe('signature_invalid');
  });

  it('refuses r = s = 0 in DER form', async () => {
    const der = Buffer.from([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]);
    expect(await codeOf(withSignature(mint(es256), b64url(der)))).toBe('signature_invalid');
  });

  it('refuses r = s = n in DER form', async () => {
    expect(await codeOf(withSignature(mint(es256), b64url(toDer(P256_ORDER, P256_ORDER))))).toBe(
      'signature_invalid',
    );
  });
});

function toDer(r: Uint8Array, s: Uint8Array): Buffer {
  const integer = (value: Uint8Array): Buffer => {
    const bytes = Buffer.from(value);
    const padded = (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
    return Buffer.concat([Buffer.from([0x02, padded.length]), padded]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
