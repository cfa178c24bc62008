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
    });
    const first = phantom.resolve('a', 'token-a', 'orders');
    const second = phantom.resolve('b', 'token-b', 'orders');
    const joined = phantom.resolve('a', 'token-a', 'orders');
    await expect(phantom.resolve('c', 'token-c', 'orders')).rejects.toMatchObject({
      code: 'auth_overloaded',
    });
    await Promise.resolve();
    expect(calls).toBe(2);
    gate.reject(new Error('done'));
    await Promise.allSettled([first, second, joined]);
    expect(phantom.inFlight).toBe(0);
  });
});
