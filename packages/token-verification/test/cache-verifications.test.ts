// The cache wrapper against a fake key source, to pin down interleavings a real network cannot order.
import { describe, expect, it } from '@jest/globals';
import { cacheVerifications } from '../src/cache-verifications.js';
import type { VerifiedToken } from '../src/index.js';
import { NOW } from './helpers/tokens.js';

function fakeToken(sub: string): VerifiedToken {
  return Object.freeze({ sub, exp: NOW + 3600, iat: NOW }) as unknown as VerifiedToken;
}

function setup(): {
  keySource: { generation: number; isFresh: () => boolean; fresh: boolean };
  calls: string[];
  release: Map<string, (token: VerifiedToken) => void>;
  verify: (token: string) => Promise<VerifiedToken>;
} {
  const keySource = {
    generation: 0,
    fresh: true,
    isFresh(): boolean {
      return this.fresh;
    },
  };
  const calls: string[] = [];
  const release = new Map<string, (token: VerifiedToken) => void>();
  const inner = (token: string): Promise<VerifiedToken> => {
    const first = !calls.includes(token);
    calls.push(token);
    // The first verification of a "slow" token waits for the test to release it.
    if (first && token.startsWith('slow')) return new Promise((resolve) => release.set(token, resolve));
    return Promise.resolve(fakeToken(token));
  };
  const verify = cacheVerifications(inner, {
    maxEntries: 10,
    maxTtlSeconds: 60,
    keySource,
    now: () => NOW * 1000,
    maxTokenAgeSeconds: undefined,
  });
  return { keySource, calls, release, verify };
}

describe('cacheVerifications', () => {
  it('does not store a result that was in flight while a key was withdrawn and the cache flushed', async () => {
    const { keySource, calls, release, verify } = setup();
    const inFlight = verify('slow.token.x');
    // A refresh withdraws a key; the next verification flushes the cache before the slow one ends.
    keySource.generation = 1;
    await verify('fast.token.y');
    release.get('slow.token.x')?.(fakeToken('x'));
    await inFlight;
    await verify('slow.token.x');
    expect(calls.filter((call) => call === 'slow.token.x')).toHaveLength(2);
  });

  it('serves nothing from the cache while the key set is stale', async () => {
    const { keySource, calls, verify } = setup();
    await verify('a.b.c');
    keySource.fresh = false;
    await verify('a.b.c');
    keySource.fresh = true;
    await verify('a.b.c');
    expect(calls).toEqual(['a.b.c', 'a.b.c']);
  });

  it('hashes nothing over the size limit and sends it to the full check', async () => {
    const { calls, verify } = setup();
    const huge = 'a'.repeat(9000);
    await verify(huge);
    await verify(huge);
    expect(calls).toHaveLength(2);
  });
});
