// The remote key set: fetched lazily, cached, refetched on unknown kids at most once per cooldown, refreshed
// after its max age, and failing closed on every kind of broken endpoint.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createTokenVerifier } from '../src/index.js';
import type { TokenVerifier, TokenVerifierOptions } from '../src/index.js';
import { startCountingServer } from './helpers/jwks-server.js';
import type { CountingServer } from './helpers/jwks-server.js';
import { AUDIENCE, ISSUER, createClock, generateSigningKey, mint, rejectionOf } from './helpers/tokens.js';
import type { SigningKey, TestClock } from './helpers/tokens.js';

let keyA: SigningKey;
let keyB: SigningKey;
let server: CountingServer;
let clock: TestClock;

beforeAll(async () => {
  [keyA, keyB] = await Promise.all([
    generateSigningKey('ES256', 'key-a'),
    generateSigningKey('ES256', 'key-b'),
  ]);
});

beforeEach(async () => {
  server = await startCountingServer();
  server.serveJson({ keys: [keyA.jwk] });
  clock = createClock();
});

afterEach(async () => {
  await server.close();
});

function remoteVerifier(overrides: Partial<TokenVerifierOptions> = {}): TokenVerifier {
  return createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    jwks: server.url,
    jwksCooldownSeconds: 30,
    jwksCacheMaxAgeSeconds: 300,
    now: clock.now,
    ...overrides,
  });
}

async function codeOf(verifier: TokenVerifier, token: string): Promise<unknown> {
  return ((await rejectionOf(verifier.verify(token))) as { code?: unknown }).code;
}

describe('fetching and caching', () => {
  it('fetches on first use, not at construction, and then serves from memory', async () => {
    const verifier = remoteVerifier();
    expect(server.requests()).toBe(0);
    for (let round = 0; round < 5; round += 1) await verifier.verify(mint(keyA));
    expect(server.requests()).toBe(1);
  });

  it('makes one request for many concurrent first verifications', async () => {
    const verifier = remoteVerifier();
    await Promise.all(Array.from({ length: 20 }, () => verifier.verify(mint(keyA))));
    expect(server.requests()).toBe(1);
  });

  it('asks for a JWKS and sends no credentials', async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    server.respondWith((req, res) => {
      seen.push(req.headers);
      res
        .writeHead(200, { 'content-type': 'application/jwk-set+json' })
        .end(JSON.stringify({ keys: [keyA.jwk] }));
    });
    await remoteVerifier().verify(mint(keyA));
    expect(seen[0]?.['accept']).toContain('application/jwk-set+json');
    expect(seen[0]?.['authorization']).toBeUndefined();
    expect(seen[0]?.['cookie']).toBeUndefined();
  });

  it('refetches once the set is older than jwksCacheMaxAgeSeconds', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(mint(keyA));
    clock.advanceSeconds(299);
    await verifier.verify(mint(keyA, { claims: { iat: 1_750_000_299, exp: 1_750_000_600 } }));
    expect(server.requests()).toBe(1);
    clock.advanceSeconds(1);
    await verifier.verify(mint(keyA, { claims: { iat: 1_750_000_300, exp: 1_750_000_600 } }));
    expect(server.requests()).toBe(2);
  });
});

describe('unknown kids and the cooldown', () => {
  it('lets a flood of random kids cause no fetch within the cooldown', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(mint(keyA));
    const flood = Array.from({ length: 200 }, (_, index) =>
      mint(keyA, { header: { kid: `random-${index}` } }),
    );
    const codes = await Promise.all(flood.map((token) => codeOf(verifier, token)));
    expect(new Set(codes)).toEqual(new Set(['key_not_found']));
    expect(server.requests()).toBe(1);
  });

  it('lets a flood of random kids cause exactly one fetch per cooldown', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(mint(keyA));
    for (let period = 1; period <= 3; period += 1) {
      clock.advanceSeconds(30);
      const flood = Array.from({ length: 100 }, (_, index) =>
        mint(keyA, { header: { kid: `r-${period}-${index}` } }),
      );
      await Promise.all(flood.map((token) => codeOf(verifier, token)));
      expect(server.requests()).toBe(1 + period);
    }
  });

  it('accepts a newly rotated-in key without a restart', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(mint(keyA));
    server.serveJson({ keys: [keyA.jwk, keyB.jwk] });
    clock.advanceSeconds(30);
    await expect(verifier.verify(mint(keyB))).resolves.toMatchObject({ header: { kid: 'key-b' } });
    await expect(verifier.verify(mint(keyA))).resolves.toBeDefined();
    expect(server.requests()).toBe(2);
  });

  it('refuses a rotated-in key within the cooldown, and accepts it after', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(mint(keyA));
    server.serveJson({ keys: [keyA.jwk, keyB.jwk] });
    clock.advanceSeconds(10);
    expect(await codeOf(verifier, mint(keyB))).toBe('key_not_found');
    clock.advanceSeconds(20);
    await expect(verifier.verify(mint(keyB, { claims: { iat: 1_750_000_030 } }))).resolves.toBeDefined();
  });

  it('stops accepting a withdrawn key once the set is refreshed', async () => {
    server.serveJson({ keys: [keyA.jwk, keyB.jwk] });
    const verifier = remoteVerifier();
    await verifier.verify(mint(keyA, { claims: { exp: 1_750_009_999 } }));
    server.serveJson({ keys: [keyB.jwk] });
    clock.advanceSeconds(300);
    expect(await codeOf(verifier, mint(keyA, { claims: { iat: 1_750_000_300, exp: 1_750_009_999 } }))).toBe(
      'key_not_found',
    );
  });
});

describe('a wall clock that steps back', () => {
  it('refetches rather than treating the set as fresh, or the cooldown as running, for the size of the step', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(mint(keyA));
    server.serveJson({ keys: [keyA.jwk, keyB.jwk] });
    clock.advanceSeconds(-3600);
    const underB = mint(keyB, { claims: { iat: 1_750_000_000 - 3600, exp: 1_750_000_000 - 3000 } });
    await expect(verifier.verify(underB)).resolves.toBeDefined();
    expect(server.requests()).toBe(2);
  });
});

describe('failing closed', () => {
  const brokenAnswers: [string, (server: CountingServer) => void][] = [
    [
      'a 500',
      (s) => {
        s.respondWith((_req, res) => res.writeHead(500).end('{"keys":[]}'));
      },
    ],
    [
      'a 404',
      (s) => {
        s.respondWith((_req, res) => res.writeHead(404).end());
      },
    ],
    [
      'a 204',
      (s) => {
        s.respondWith((_req, res) => res.writeHead(204).end());
      },
    ],
    [
      'not JSON',
      (s) => {
        s.respondWith((_req, res) => res.writeHead(200).end('<html>keys</html>'));
      },
    ],
    [
      'truncated JSON',
      (s) => {
        s.respondWith((_req, res) => res.writeHead(200).end('{"keys":[{"kty":"EC"'));
      },
    ],
    [
      'JSON without keys',
      (s) => {
        s.serveJson({ key: [] });
      },
    ],
    [
      'an empty key list',
      (s) => {
        s.serveJson({ keys: [] });
      },
    ],
    [
      'a JSON array',
      (s) => {
        s.serveJson([]);
      },
    ],
    [
      'keys that are not objects',
      (s) => {
        s.serveJson({ keys: ['key-a'] });
      },
    ],
    [
      'a symmetric key',
      (s) => {
        s.serveJson({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'key-a' }] });
      },
    ],
    [
      'a private key',
      (s) => {
        s.serveJson({ keys: [{ ...keyA.jwk, d: 'AAAA' }] });
      },
    ],
    [
      'a key with broken coordinates',
      (s) => {
        s.serveJson({ keys: [{ ...keyA.jwk, x: 'AAAA' }] });
      },
    ],
    [
      'too many keys',
      (s) => {
        s.serveJson({ keys: Array.from({ length: 101 }, () => keyA.jwk) });
      },
    ],
    [
      'a body over 128 KiB',
      (s) => {
        s.serveJson({ keys: [keyA.jwk], padding: 'x'.repeat(130 * 1024) });
      },
    ],
    [
      'a chunked body over 128 KiB',
      (s) => {
        s.respondWith((_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write(`{"keys":[${JSON.stringify(keyA.jwk)}],"padding":"`);
          for (let chunk = 0; chunk < 40; chunk += 1) res.write('x'.repeat(4096));
          res.end('"}');
        });
      },
    ],
  ];

  it.each(brokenAnswers)('answers jwks_unavailable for %s', async (_label, breakServer) => {
    breakServer(server);
    expect(await codeOf(remoteVerifier(), mint(keyA))).toBe('jwks_unavailable');
  });

  it('answers jwks_unavailable when the endpoint does not answer in time', async () => {
    server.respondWith(() => {
      // Never answer.
    });
    const started = performance.now();
    expect(await codeOf(remoteVerifier({ jwksTimeoutSeconds: 0.2 }), mint(keyA))).toBe('jwks_unavailable');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('answers jwks_unavailable when the body stalls past the deadline', async () => {
    server.respondWith((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
    });
    expect(await codeOf(remoteVerifier({ jwksTimeoutSeconds: 0.2 }), mint(keyA))).toBe('jwks_unavailable');
  });

  it('answers jwks_unavailable when nothing listens', async () => {
    const { url } = server;
    await server.close();
    server = await startCountingServer();
    const verifier = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwks: url,
      now: clock.now,
    });
    expect(await codeOf(verifier, mint(keyA))).toBe('jwks_unavailable');
  });

  it('refuses to follow a redirect, and the target is never asked', async () => {
    const target = await startCountingServer();
    target.serveJson({ keys: [keyA.jwk] });
    try {
      server.respondWith((_req, res) => res.writeHead(302, { location: target.url.href }).end());
      expect(await codeOf(remoteVerifier(), mint(keyA))).toBe('jwks_unavailable');
      expect(target.requests()).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('refuses every token once the set is stale and the refresh fails, though the old set held the key', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(mint(keyA, { claims: { exp: 1_750_009_999 } }));
    server.respondWith((_req, res) => res.writeHead(503).end());
    clock.advanceSeconds(300);
    expect(await codeOf(verifier, mint(keyA, { claims: { iat: 1_750_000_300, exp: 1_750_009_999 } }))).toBe(
      'jwks_unavailable',
    );
  });

  it('keeps using a fresh set when an unknown-kid refresh fails, and reports that failure', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(mint(keyA));
    server.respondWith((_req, res) => res.writeHead(500).end());
    clock.advanceSeconds(30);
    expect(await codeOf(verifier, mint(keyB))).toBe('jwks_unavailable');
    await expect(verifier.verify(mint(keyA, { claims: { iat: 1_750_000_030 } }))).resolves.toBeDefined();
  });

  it('retries a failed endpoint at most once per cooldown, and recovers after it', async () => {
    server.respondWith((_req, res) => res.writeHead(500).end());
    const verifier = remoteVerifier();
    for (let attempt = 0; attempt < 50; attempt += 1) {
      expect(await codeOf(verifier, mint(keyA))).toBe('jwks_unavailable');
    }
    expect(server.requests()).toBe(1);
    server.serveJson({ keys: [keyA.jwk] });
    clock.advanceSeconds(30);
    await expect(verifier.verify(mint(keyA, { claims: { iat: 1_750_000_030 } }))).resolves.toBeDefined();
    expect(server.requests()).toBe(2);
  });
});

describe('keys named by the token are never fetched', () => {
  it.each(['jku', 'x5u'])(
    'makes no request for a %s header, not even to the configured set',
    async (name) => {
      const attacker = await startCountingServer();
      attacker.serveJson({ keys: [keyB.jwk] });
      try {
        const token = mint(keyB, { header: { [name]: attacker.url.href } });
        expect(await codeOf(remoteVerifier(), token)).toBe('token_malformed');
        expect(attacker.requests()).toBe(0);
        expect(server.requests()).toBe(0);
      } finally {
        await attacker.close();
      }
    },
  );
});
