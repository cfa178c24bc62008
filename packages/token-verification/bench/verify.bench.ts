// Throughput benchmark, not a test: raw jose.jwtVerify vs this package without a cache vs with a warm cache,
// on the same tokens, in interleaved rounds (A, B, C, A, B, C, ...) so machine noise hits all three alike.
// Run: `pnpm run bench` (builds, then `node bench/verify.bench.ts`; Node 24 strips the types).
import { availableParallelism, cpus } from 'node:os';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import type * as TokenVerification from '../src/index.js';

// Typed against the sources, run against the build: Node runs this file as is, but not src/'s './x.js' imports.
const { createTokenVerifier } = (await import(
  new URL('../dist/index.js', import.meta.url).href
)) as typeof TokenVerification;

const TOKENS = 1000;
const MIN_ROUNDS = 5;
const MAX_ROUNDS = 30;
const TIME_BUDGET_MS = 30_000;
const NOW = 1_750_000_000;
const ISSUER = 'https://auth.airlock.test';
const AUDIENCE = 'orders';

const { publicKey, privateKey } = await generateKeyPair('ES256');
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'ES256', use: 'sig' }] };
const tokens = await Promise.all(
  Array.from({ length: TOKENS }, (_, index) =>
    new SignJWT({ scope: 'orders:read orders:write', client_id: 'web-app' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'bench-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(`user-${index}`)
      .setJti(`token-${index}`)
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 3600)
      .sign(privateKey),
  ),
);

// The same policy in every variant: pinned alg, issuer, audience, typ, required claims, fixed clock.
const currentDate = new Date(NOW * 1000);
const joseKeys = createLocalJWKSet(jwks);
const policy = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['ES256'] as ['ES256'],
  jwks,
  now: () => NOW * 1000,
};
const uncached = createTokenVerifier(policy);
const cached = createTokenVerifier({ ...policy, cache: { maxEntries: TOKENS, maxTtlSeconds: 3600 } });

const variants = [
  {
    name: 'raw jose.jwtVerify',
    verify: (token: string) =>
      jwtVerify(token, joseKeys, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['ES256'],
        typ: 'at+jwt',
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: 5,
        currentDate,
      }),
  },
  { name: 'token-verification, no cache', verify: (token: string) => uncached.verify(token) },
  { name: 'token-verification, warm cache', verify: (token: string) => cached.verify(token) },
];

async function runRound(verify: (token: string) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (const token of tokens) await verify(token);
  return performance.now() - started;
}

// Warm-up: JIT, key import caches, and the cache of the cached variant.
for (const variant of variants) await runRound(variant.verify);

const elapsed = variants.map(() => 0);
let rounds = 0;
const benchStarted = performance.now();
while (rounds < MAX_ROUNDS && (rounds < MIN_ROUNDS || performance.now() - benchStarted < TIME_BUDGET_MS)) {
  for (const [index, variant] of variants.entries()) {
    elapsed[index] = (elapsed[index] ?? 0) + (await runRound(variant.verify));
  }
  rounds += 1;
}

const perSecond = elapsed.map((ms) => (rounds * TOKENS) / (ms / 1000));
const baseline = perSecond[0] ?? Number.NaN;
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores`);
console.log(
  `${rounds} interleaved rounds x ${TOKENS} distinct ES256 tokens per variant, sequential awaits\n`,
);
for (const [index, variant] of variants.entries()) {
  const rate = perSecond[index] ?? Number.NaN;
  const micros = 1e6 / rate;
  console.log(
    `${variant.name.padEnd(32)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} verifications/s` +
      `  ${micros.toFixed(2).padStart(8)} µs each  ${(rate / baseline).toFixed(2).padStart(7)}x raw jose`,
  );
}
