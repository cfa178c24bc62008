import { describe, expect, test } from '@jest/globals';
import { PhantomTokens } from '../src/phantom/phantom-tokens.js';
import { SingleFlight } from '../src/phantom/single-flight.js';
import { TokenCache } from '../src/phantom/token-cache.js';

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  test('concurrent calls for one key share one piece of work', async () => {
    const flights = new SingleFlight<string>();
    const gate = deferred<string>();
    let calls = 0;
    const work = () => {
      calls += 1;
      return gate.promise;
    };
    const results = Array.from({ length: 100 }, () => flights.run('k', work));
    await Promise.resolve();
    gate.resolve('v');
    expect(await Promise.all(results)).toEqual(Array.from({ length: 100 }, () => 'v'));
    expect(calls).toBe(1);
    expect(flights.size).toBe(0);
  });

  test('different keys never share work or results', async () => {
    const flights = new SingleFlight<string>();
    const [a, b] = await Promise.all([
      flights.run('a', () => Promise.resolve('A')),
      flights.run('b', () => Promise.resolve('B')),
    ]);
    expect([a, b]).toEqual(['A', 'B']);
  });

  test('a failure reaches every waiter and is forgotten: the next call works again', async () => {
    const flights = new SingleFlight<string>();
    const gate = deferred<string>();
    const first = flights.run('k', () => gate.promise);
    const second = flights.run('k', () => Promise.resolve('unused'));
    gate.reject(new Error('auth down'));
    await expect(first).rejects.toThrow('auth down');
    await expect(second).rejects.toThrow('auth down');
    expect(flights.size).toBe(0);
    await expect(flights.run('k', () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  test('a synchronous throw is a rejection and leaves nothing in flight', async () => {
    const flights = new SingleFlight<string>();
    await expect(
      flights.run('k', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(flights.size).toBe(0);
    await expect(flights.run('k', () => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});

describe('PhantomTokens: bounded exchanges in flight', () => {
  test('distinct misses beyond the bound are refused without calling auth; joining one in flight is free', async () => {
    const gate = deferred<never>();
    let calls = 0;
    const phantom = new PhantomTokens({
      issuer: 'http://127.0.0.1:8080/auth',
      cache: new TokenCache({ maxEntries: 10, maxTtlMs: 30_000, negativeTtlMs: 5_000, expirySkewMs: 5_000 }),
      resolve: () => {
        calls += 1;
        return gate.promise;
      },
      maxInFlight: 2,
      maxPerClient: 2,
    });
    const first = phantom.resolve('a', 'token-a', 'orders', 'client');
    const second = phantom.resolve('b', 'token-b', 'orders', 'client');
    const joined = phantom.resolve('a', 'token-a', 'orders', 'client');
    await expect(phantom.resolve('c', 'token-c', 'orders', 'other')).rejects.toMatchObject({
      code: 'auth_overloaded',
    });
    await Promise.resolve();
    expect(calls).toBe(2);
    gate.reject(new Error('done'));
    await Promise.allSettled([first, second, joined]);
    expect(phantom.inFlight).toBe(0);
  });
});

describe("PhantomTokens: a client's share of the exchanges in flight (issue 11, finding 4)", () => {
  const cache = (): TokenCache =>
    new TokenCache({ maxEntries: 10, maxTtlMs: 30_000, negativeTtlMs: 5_000, expirySkewMs: 5_000 });

  test('a client past its share is refused without calling auth; others still start theirs; a share frees on settling', async () => {
    const gate = deferred<never>();
    let calls = 0;
    const phantom = new PhantomTokens({
      issuer: 'http://127.0.0.1:8080/auth',
      cache: cache(),
      resolve: () => {
        calls += 1;
        return gate.promise;
      },
      maxInFlight: 10,
      maxPerClient: 2,
    });
    const held = [
      phantom.resolve('a', 't-a', 'orders', 'spray'),
      phantom.resolve('b', 't-b', 'orders', 'spray'),
    ];
    await expect(phantom.resolve('c', 't-c', 'orders', 'spray')).rejects.toMatchObject({
      code: 'rate_limited_exchanges',
    });
    // Joining a call in flight is free, whoever started it.
    const joined = phantom.resolve('a', 't-a', 'orders', 'other');
    const other = phantom.resolve('d', 't-d', 'orders', 'other');
    await Promise.resolve();
    expect(calls).toBe(3);
    expect(phantom.heldBy('spray')).toBe(2);
    expect(phantom.heldBy('other')).toBe(1);
    gate.reject(new Error('done'));
    await Promise.allSettled([...held, joined, other]);
    expect(phantom.heldBy('spray')).toBe(0);
    expect(phantom.heldBy('other')).toBe(0);
  });

  test('the share is checked at construction', () => {
    const base = {
      issuer: 'http://127.0.0.1:8080/auth',
      cache: cache(),
      resolve: () => new Promise<never>(() => undefined),
    };
    expect(() => new PhantomTokens({ ...base, maxInFlight: 4, maxPerClient: 5 })).toThrow(TypeError);
    expect(() => new PhantomTokens({ ...base, maxInFlight: 4, maxPerClient: 0 })).toThrow(TypeError);
  });
});

describe('PhantomTokens: the token is hashed once', () => {
  test('a miss asks the shared negative results with the digest of its key, not a second hash of the token', async () => {
    const asked: string[] = [];
    const recorded: string[] = [];
    const phantom = new PhantomTokens({
      issuer: 'http://127.0.0.1:8080/auth',
      cache: new TokenCache({ maxEntries: 10, maxTtlMs: 30_000, negativeTtlMs: 5_000, expirySkewMs: 5_000 }),
      resolve: () => Promise.resolve({ kind: 'refused', reason: 'inactive' }),
      maxInFlight: 2,
      maxPerClient: 2,
      negativeResults: {
        isInactive: (tokenHash) => {
          asked.push(tokenHash);
          return Promise.resolve(false);
        },
        recordInactive: (tokenHash) => {
          recorded.push(tokenHash);
          return Promise.resolve();
        },
      },
    });
    const digest = PhantomTokens.hashToken('token-a');

    await phantom.resolve(phantom.key('orders', digest), 'token-a', 'orders', 'client');
    // A key built from another digest proves where the store's digest comes from: the key, not the token.
    await phantom.resolve(phantom.key('images', 'digest-of-the-caller'), 'token-a', 'images', 'client');

    expect(asked).toEqual([digest, 'digest-of-the-caller']);
    expect(recorded).toEqual([digest, 'digest-of-the-caller']);
  });
});
