// Attacks on the objects built from the token: `__proto__` keys must neither pollute nor reach callers.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  NOW,
  generateSigningKey,
  mint,
  rejectionOf,
  standardClaims,
  verifierFor,
} from '../helpers/tokens.js';
import type { SigningKey } from '../helpers/tokens.js';

let es256: SigningKey;

beforeAll(async () => {
  es256 = await generateSigningKey('ES256', 'es-1');
});

afterEach(() => {
  // Every test ends with a clean Object.prototype, or the whole suite would be suspect.
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
});

const claimsText = JSON.stringify(standardClaims()).slice(0, -1);

describe('__proto__ in the payload', () => {
  it.each([
    ['at the top level', `${claimsText},"__proto__":{"polluted":"yes"}}`],
    ['spelt with a unicode escape', `${claimsText},"\\u005f_proto__":{"polluted":"yes"}}`],
    ['inside act', `${claimsText},"act":{"sub":"gateway","__proto__":{"polluted":"yes"}}}`],
    ['inside an array', `${claimsText},"roles":[{"__proto__":{"polluted":"yes"}}]}`],
  ])('refuses a signed payload with __proto__ %s', async (_label, payloadText) => {
    const error = await rejectionOf(verifierFor([es256]).verify(mint(es256, { payloadText })));
    expect(error).toMatchObject({ code: 'token_malformed' });
  });

  it('refuses __proto__ in the header before any key lookup', async () => {
    const error = await rejectionOf(
      verifierFor([es256]).verify(mint(es256, { header: { ['__proto__']: { alg: 'ES256' } } })),
    );
    expect(error).toMatchObject({ code: 'token_malformed' });
  });
});

describe('accepted tokens with prototype-like claim names', () => {
  it('keeps constructor and prototype as plain data, without polluting anything', async () => {
    const payloadText = `${claimsText},"constructor":{"prototype":{"polluted":"yes"}},"toString":"x"}`;
    const token = await verifierFor([es256]).verify(mint(es256, { payloadText }));
    expect(token.claims['constructor']).toEqual({ prototype: { polluted: 'yes' } });
    expect(Object.entries(token.claims)).toContainEqual(['toString', 'x']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('gives claims no inherited members at all', async () => {
    const token = await verifierFor([es256]).verify(mint(es256));
    expect(Object.getPrototypeOf(token.claims)).toBeNull();
    for (const inherited of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      expect(token.claims[inherited]).toBeUndefined();
    }
    expect(token.iat).toBe(NOW);
  });
});
