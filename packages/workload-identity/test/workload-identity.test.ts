// A service's key pair and client assertions: generated once and then reused, private half kept to its
// owner, public file strict, assertions verifiable with the public key alone.
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import {
  createClientAssertion,
  ensureWorkloadKeyPair,
  readWorkloadPublicJwk,
  workloadKeyPaths,
  WorkloadIdentityError,
  type WorkloadKeyPair,
} from '../src/index.js';

let dataDir: string;
let orders: WorkloadKeyPair;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'airlock-workload-'));
  orders = await ensureWorkloadKeyPair({ dataDir, service: 'orders' });
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(WorkloadIdentityError);
  await expect(promise).rejects.toMatchObject({ code });
}

describe('ensureWorkloadKeyPair', () => {
  it('generates an ES256 key at first start and loads the same key afterwards', async () => {
    expect(orders.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(orders.kid).toBe(orders.publicJwk.kid);
    const again = await ensureWorkloadKeyPair({ dataDir, service: 'orders' });
    expect(again.kid).toBe(orders.kid);
  });

  it('writes the private key 0600 and a public file without private members', async () => {
    const paths = workloadKeyPaths({ dataDir, service: 'orders' });
    expect((await stat(paths.privateKey)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.publicKey)).mode & 0o022).toBe(0);
    const publicFile = JSON.parse(await readFile(paths.publicKey, 'utf8')) as Record<string, unknown>;
    expect(publicFile).not.toHaveProperty('d');
    expect(publicFile.kid).toBe(orders.kid);
  });

  it('publishes the public key into a separate folder when one is given (containers)', async () => {
    const publicKeysDir = join(dataDir, 'published');
    const pair = await ensureWorkloadKeyPair({ dataDir, service: 'gateway', publicKeysDir });
    const paths = workloadKeyPaths({ dataDir, service: 'gateway', publicKeysDir });
    expect(paths.publicKey.startsWith(join(publicKeysDir, 'gateway'))).toBe(true);
    expect((await stat(paths.privateKey)).mode & 0o777).toBe(0o600);
    expect((await readWorkloadPublicJwk({ dataDir: publicKeysDir, service: 'gateway' }))?.kid).toBe(pair.kid);
    await expect(readWorkloadPublicJwk({ dataDir, service: 'gateway' })).resolves.toBeUndefined();
  });

  it('keeps the private key non-extractable in memory', () => {
    expect(orders.privateKey.extractable).toBe(false);
  });

  it('settles concurrent first starts on one key', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 5 }, () => ensureWorkloadKeyPair({ dataDir, service: 'payments' })),
    );
    expect(new Set(pairs.map((pair) => pair.kid)).size).toBe(1);
    expect((await readWorkloadPublicJwk({ dataDir, service: 'payments' }))?.kid).toBe(pairs[0]?.kid);
  });

  it('rewrites a public file that does not match the private key', async () => {
    const paths = workloadKeyPaths({ dataDir, service: 'orders' });
    const other = await ensureWorkloadKeyPair({ dataDir, service: 'payments' });
    await writeFile(paths.publicKey, JSON.stringify(other.publicJwk));
    await ensureWorkloadKeyPair({ dataDir, service: 'orders' });
    expect((await readWorkloadPublicJwk({ dataDir, service: 'orders' }))?.kid).toBe(orders.kid);
  });

  it('refuses a private key readable by others', async () => {
    await ensureWorkloadKeyPair({ dataDir, service: 'loose' });
    const paths = workloadKeyPaths({ dataDir, service: 'loose' });
    await chmod(paths.privateKey, 0o644);
    await expectCode(ensureWorkloadKeyPair({ dataDir, service: 'loose' }), 'insecure_key_file');
  });

  it('refuses a corrupt private key file', async () => {
    await ensureWorkloadKeyPair({ dataDir, service: 'corrupt' });
    const paths = workloadKeyPaths({ dataDir, service: 'corrupt' });
    await writeFile(paths.privateKey, '{"kty":"oct","k":"c2VjcmV0"}');
    await expectCode(ensureWorkloadKeyPair({ dataDir, service: 'corrupt' }), 'invalid_key_file');
  });

  it.each(['../auth', 'Orders', '', 'a/b', 'x'.repeat(40)])(
    'refuses the service name %j',
    async (service) => {
      await expectCode(ensureWorkloadKeyPair({ dataDir, service }), 'invalid_service_name');
    },
  );
});

describe('readWorkloadPublicJwk', () => {
  it('returns undefined for a service that has not started yet', async () => {
    await expect(readWorkloadPublicJwk({ dataDir, service: 'image-processor' })).resolves.toBeUndefined();
  });

  it('refuses a public file that carries a private key', async () => {
    await ensureWorkloadKeyPair({ dataDir, service: 'leaky' });
    const paths = workloadKeyPaths({ dataDir, service: 'leaky' });
    const privateJwk = await readFile(paths.privateKey, 'utf8');
    await writeFile(paths.publicKey, privateJwk);
    await expectCode(readWorkloadPublicJwk({ dataDir, service: 'leaky' }), 'invalid_key_file');
  });

  it('refuses a public file others could rewrite', async () => {
    await ensureWorkloadKeyPair({ dataDir, service: 'writable' });
    const paths = workloadKeyPaths({ dataDir, service: 'writable' });
    await chmod(paths.publicKey, 0o666);
    await expectCode(readWorkloadPublicJwk({ dataDir, service: 'writable' }), 'insecure_key_file');
  });

  it('refuses a kid that is not the key thumbprint', async () => {
    await ensureWorkloadKeyPair({ dataDir, service: 'renamed' });
    const paths = workloadKeyPaths({ dataDir, service: 'renamed' });
    const jwk = JSON.parse(await readFile(paths.publicKey, 'utf8')) as Record<string, unknown>;
    await writeFile(paths.publicKey, JSON.stringify({ ...jwk, kid: 'someone-else' }));
    await expectCode(readWorkloadPublicJwk({ dataDir, service: 'renamed' }), 'invalid_key_file');
  });

  it('refuses keys of another type', async () => {
    await ensureWorkloadKeyPair({ dataDir, service: 'rsa' });
    const paths = workloadKeyPaths({ dataDir, service: 'rsa' });
    await writeFile(paths.publicKey, JSON.stringify({ kty: 'RSA', n: 'AQAB', e: 'AQAB' }));
    await expectCode(readWorkloadPublicJwk({ dataDir, service: 'rsa' }), 'invalid_key_file');
  });
});

describe('createClientAssertion', () => {
  const audience = 'http://127.0.0.1:8080/auth';

  it('signs an assertion that verifies with the published public key alone', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const assertion = await createClientAssertion({ service: 'orders', ...orders, audience, now });
    const publicKey = await importJWK({ ...orders.publicJwk }, 'ES256');
    const { payload } = await jwtVerify(assertion, publicKey, {
      algorithms: ['ES256'],
      issuer: 'orders',
      subject: 'orders',
      audience,
      currentDate: now,
    });
    expect(payload.aud).toBe(audience);
    expect(payload.iat).toBe(now.getTime() / 1000);
    expect(payload.exp).toBe(now.getTime() / 1000 + 60);
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'ES256', kid: orders.kid });
  });

  it('gives every assertion a unique jti', async () => {
    const assertions = await Promise.all(
      Array.from({ length: 20 }, () => createClientAssertion({ service: 'orders', ...orders, audience })),
    );
    const ids = assertions.map((assertion) => {
      const [, body] = assertion.split('.');
      return (JSON.parse(Buffer.from(body ?? '', 'base64url').toString()) as { jti: string }).jti;
    });
    expect(new Set(ids).size).toBe(20);
  });

  it.each([0, 301, 1.5])('refuses a lifetime of %j seconds', async (lifetimeSeconds) => {
    await expect(
      createClientAssertion({ service: 'orders', ...orders, audience, lifetimeSeconds }),
    ).rejects.toThrow(TypeError);
  });

  it('refuses an empty audience', async () => {
    await expect(createClientAssertion({ service: 'orders', ...orders, audience: '' })).rejects.toThrow(
      TypeError,
    );
  });
});
