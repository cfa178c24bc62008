// Options are checked when passed: a wrong one is a TypeError that names it, thrown at construction.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createTokenVerifier } from '../src/index.js';
import type { TokenVerifier, TokenVerifierOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, NOW, generateSigningKey, mint } from './helpers/tokens.js';
import type { SigningKey } from './helpers/tokens.js';

let es256: SigningKey;
let rsa1024: SigningKey;

beforeAll(async () => {
  es256 = await generateSigningKey('ES256', 'es-1');
  const { generateKeyPairSync } = await import('node:crypto');
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  rsa1024 = {
    ...es256,
    alg: 'RS256',
    kid: 'rsa-1024',
    jwk: { ...small.publicKey.export({ format: 'jwk' }), kid: 'rsa-1024' },
  };
});

function build(overrides: Record<string, unknown>): () => unknown {
  const merged: Record<string, unknown> = {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    jwks: { keys: [es256.jwk] },
    ...overrides,
  };
  // An override of `undefined` means "leave the option out", not "pass undefined".
  const options = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
  return () => createTokenVerifier(options as unknown as TokenVerifierOptions);
}

describe('required policy', () => {
  it('accepts the minimal policy', () => {
    expect(build({})()).toHaveProperty('verify');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not a string', 42],
  ])('refuses an issuer that is %s', (_label, issuer) => {
    expect(build({ issuer })).toThrow(new TypeError('"issuer" option must be a non-empty string'));
  });

  it.each([
    ['missing', undefined, /"audience"/],
    ['empty', '', /"audience"/],
    ['an array of one', [AUDIENCE], /"audience" option must be a single string/],
    ['an array of two', [AUDIENCE, 'payments'], /"audience" option must be a single string/],
  ])('refuses an audience that is %s', (_label, audience, message) => {
    expect(build({ audience })).toThrow(TypeError);
    expect(build({ audience })).toThrow(message);
  });

  it.each([
    ['missing', undefined],
    ['empty', []],
    ['a string', 'ES256'],
    ['none', ['none']],
    ['None', ['ES256', 'None']],
    ['HS256', ['HS256']],
    ['HS256 next to ES256', ['ES256', 'HS256']],
    ['HS384', ['HS384']],
    ['HS512', ['HS512']],
    ['an unknown name', ['ES257']],
    ['a lowercase name', ['es256']],
    ['a JWE algorithm', ['RSA-OAEP']],
    ['a non-string', [256]],
  ])('refuses algorithms that are %s', (_label, algorithms) => {
    expect(build({ algorithms })).toThrow(TypeError);
    expect(build({ algorithms })).toThrow(/"algorithms" option/);
  });

  it('refuses an unknown option, so that a misspelt one cannot silently weaken the policy', () => {
    expect(build({ maxTokenAge: 60 })).toThrow(new TypeError('"maxTokenAge" is not a token verifier option'));
  });

  it.each([null, 'options', []])('refuses options that are %p', (options) => {
    expect(() => createTokenVerifier(options as unknown as TokenVerifierOptions)).toThrow(TypeError);
  });
});

describe('jwks', () => {
  it.each([
    ['missing', undefined],
    ['a string URL', 'https://auth.airlock.test/jwks'],
    ['an object without keys', {}],
    ['an empty set', { keys: [] }],
    ['a set with a symmetric key', { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }],
    ['a set with a private key', { keys: [{ ...{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, d: 'd' }] }],
    ['a set with a broken key', { keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] }],
    ['a set with a numeric kid', { keys: [{ kty: 'EC', crv: 'P-256', kid: 1 }] }],
  ])('refuses a jwks that is %s', (_label, jwks) => {
    expect(build({ jwks })).toThrow(TypeError);
    expect(build({ jwks })).toThrow(/"jwks" option/);
  });

  it('refuses an RSA key under 2048 bits', () => {
    expect(build({ jwks: { keys: [rsa1024.jwk] }, algorithms: ['RS256'] })).toThrow(/at least 2048 bits/);
  });

  it('refuses a private key given where the public one belongs', async () => {
    const { exportJWK, generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    expect(build({ jwks: { keys: [await exportJWK(privateKey)] } })).toThrow(/public keys/);
  });

  it('keeps its own copy of a static set, so later edits by the caller change nothing', async () => {
    const attacker = await generateSigningKey('ES256', 'es-1');
    const jwks = { keys: [{ ...es256.jwk }] };
    const verifier = build({ jwks, now: () => NOW * 1000 })() as TokenVerifier;
    jwks.keys[0] = { ...attacker.jwk };
    await expect(verifier.verify(mint(es256))).resolves.toBeDefined();
    await expect(verifier.verify(mint(attacker))).rejects.toMatchObject({ code: 'signature_invalid' });
  });

  it.each(['file:///etc/jwks.json', 'ftp://auth/jwks', 'data:application/json,{}', 'javascript:alert(1)'])(
    'refuses a remote jwks URL %s',
    (url) => {
      expect(build({ jwks: new URL(url) })).toThrow(/"jwks" option URL must use http: or https:/);
    },
  );

  it('refuses a remote jwks URL with credentials', () => {
    expect(build({ jwks: new URL('https://user:pass@auth.airlock.test/jwks') })).toThrow(/credentials/);
  });

  it('refuses remote-only options next to a static set', () => {
    expect(build({ jwksCooldownSeconds: 10 })).toThrow(
      new TypeError('"jwksCooldownSeconds" option applies only when "jwks" is a URL'),
    );
  });

  it.each([
    ['jwksTimeoutSeconds', 0],
    ['jwksTimeoutSeconds', -1],
    ['jwksCooldownSeconds', -1],
    ['jwksCooldownSeconds', Number.NaN],
    ['jwksCacheMaxAgeSeconds', 0],
    ['jwksCacheMaxAgeSeconds', '300'],
  ])('refuses %s = %p', (name, value) => {
    expect(build({ jwks: new URL('https://auth.airlock.test/jwks'), [name]: value })).toThrow(
      new RegExp(`"${name}" option`),
    );
  });

  it('refuses a cooldown longer than the max age', () => {
    const options = {
      jwks: new URL('https://auth.airlock.test/jwks'),
      jwksCooldownSeconds: 60,
      jwksCacheMaxAgeSeconds: 30,
    };
    expect(build(options)).toThrow(/must not exceed/);
  });
});

describe('optional policy', () => {
  it.each([
    ['typ', ''],
    ['typ', 7],
    ['clockToleranceSeconds', -1],
    ['clockToleranceSeconds', Number.POSITIVE_INFINITY],
    ['clockToleranceSeconds', '5'],
    ['maxTokenAgeSeconds', 0],
    ['maxTokenAgeSeconds', -60],
    ['requiredClaims', 'jti'],
    ['requiredClaims', ['']],
    ['requiredClaims', [1]],
    ['now', 1_750_000_000_000],
  ])('refuses %s = %p', (name, value) => {
    expect(build({ [name]: value })).toThrow(TypeError);
    expect(build({ [name]: value })).toThrow(new RegExp(`"${name}" option`));
  });

  it.each([
    ['not an object', 100, /"cache" option/],
    ['without maxEntries', { maxTtlSeconds: 60 }, /"cache.maxEntries"/],
    ['without maxTtlSeconds', { maxEntries: 100 }, /"cache.maxTtlSeconds"/],
    ['with zero entries', { maxEntries: 0, maxTtlSeconds: 60 }, /"cache.maxEntries"/],
    ['with fractional entries', { maxEntries: 1.5, maxTtlSeconds: 60 }, /"cache.maxEntries"/],
    ['with a zero TTL', { maxEntries: 10, maxTtlSeconds: 0 }, /"cache.maxTtlSeconds"/],
    ['with an unknown member', { maxEntries: 10, maxTtlSeconds: 60, ttl: 5 }, /"cache.ttl"/],
  ])('refuses a cache option %s', (_label, cache, message) => {
    expect(build({ cache })).toThrow(TypeError);
    expect(build({ cache })).toThrow(message);
  });

  it('accepts every option at once', () => {
    const verifier = build({
      jwks: new URL('https://auth.airlock.test/jwks'),
      typ: 'application/at+jwt',
      clockToleranceSeconds: 0,
      maxTokenAgeSeconds: 600,
      requiredClaims: ['jti', 'client_id'],
      cache: { maxEntries: 1000, maxTtlSeconds: 30 },
      jwksTimeoutSeconds: 1.5,
      jwksCooldownSeconds: 10,
      jwksCacheMaxAgeSeconds: 120,
      now: () => 0,
    });
    expect(verifier).not.toThrow();
  });
});
