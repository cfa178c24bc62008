// Issue 11, finding 9: `ready()` says whether the verifier could check a token now. A remote key set that cannot be
// fetched is not ready; one that is fetched (or fixed) is. Probing never fetches more often than verifying may.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createTokenVerifier } from '../src/index.js';
import type { TokenVerifier } from '../src/index.js';
import { startCountingServer } from './helpers/jwks-server.js';
import type { CountingServer } from './helpers/jwks-server.js';
import { AUDIENCE, ISSUER, createClock, generateSigningKey } from './helpers/tokens.js';
import type { SigningKey, TestClock } from './helpers/tokens.js';

let key: SigningKey;
let server: CountingServer;
let clock: TestClock;

beforeAll(async () => {
  key = await generateSigningKey('ES256', 'key-a');
});
beforeEach(async () => {
  server = await startCountingServer();
  clock = createClock();
});
afterEach(async () => {
  await server.close();
});

function verifierFor(jwks: URL): TokenVerifier {
  return createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    jwks,
    jwksCooldownSeconds: 30,
    jwksCacheMaxAgeSeconds: 300,
    now: clock.now,
  });
}

describe('ready()', () => {
  it('is true for a fixed key set', async () => {
    const verifier = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwks: { keys: [key.jwk] },
    });
    await expect(verifier.ready()).resolves.toBe(true);
  });

  it('is true once the remote key set is fetched, and fetches it once', async () => {
    server.serveJson({ keys: [key.jwk] });
    const verifier = verifierFor(server.url);
    await expect(verifier.ready()).resolves.toBe(true);
    await expect(verifier.ready()).resolves.toBe(true);
    expect(server.requests()).toBe(1);
  });

  it('is false while the key set endpoint fails, and asks it at most once per cooldown', async () => {
    server.respondWith((_req, res) => res.writeHead(503).end());
    const verifier = verifierFor(server.url);
    await expect(verifier.ready()).resolves.toBe(false);
    await expect(verifier.ready()).resolves.toBe(false);
    expect(server.requests()).toBe(1);
    server.serveJson({ keys: [key.jwk] });
    clock.advanceSeconds(30);
    await expect(verifier.ready()).resolves.toBe(true);
  });

  it('is false when nothing listens at the key set URL', async () => {
    await expect(verifierFor(new URL('http://127.0.0.1:9/jwks')).ready()).resolves.toBe(false);
  });

  it('turns false again when the set outlives its max age and cannot be refetched', async () => {
    server.serveJson({ keys: [key.jwk] });
    const verifier = verifierFor(server.url);
    await expect(verifier.ready()).resolves.toBe(true);
    server.respondWith((_req, res) => res.writeHead(500).end());
    clock.advanceSeconds(301);
    await expect(verifier.ready()).resolves.toBe(false);
  });
});
