// Rotation rules as pure functions of the key set and the clock.
import { describe, expect, it } from '@jest/globals';
import { rotationTimings } from '../../src/keys/rotation-timings.js';
import {
  activeKey,
  initialKeySet,
  promoteStagedKey,
  promotionDelay,
  providerJwks,
  publicJwks,
  retireKeys,
  retirementDelay,
  stageKey,
} from '../../src/keys/signing-key-set.js';

const timings = rotationTimings(300);

describe('signing key rotation', () => {
  it('waits longer than the JWKS cache before promoting, and longer than a token lives before retiring', () => {
    expect(promotionDelay(timings)).toBeGreaterThan(300);
    expect(retirementDelay(timings)).toBeGreaterThan(300);
  });

  it('moves a key through staged, active and retiring, then removes the old one', async () => {
    const t0 = 1_000;
    const initial = await initialKeySet(t0);
    const first = activeKey(initial).kid;
    const staged = await stageKey(initial, t0);
    expect(activeKey(staged).kid).toBe(first);
    expect(() => promoteStagedKey(staged, t0 + promotionDelay(timings) - 1, timings)).toThrow(
      expect.objectContaining({ code: 'too_early' }),
    );
    const t1 = t0 + promotionDelay(timings);
    const promoted = promoteStagedKey(staged, t1, timings);
    const second = activeKey(promoted).kid;
    expect(second).not.toBe(first);
    expect(promoted.keys.find((key) => key.kid === first)).toMatchObject({
      status: 'retiring',
      retiringSince: t1,
    });
    expect(() => retireKeys(promoted, t1 + retirementDelay(timings) - 1, timings)).toThrow(
      expect.objectContaining({ code: 'too_early' }),
    );
    const retired = retireKeys(promoted, t1 + retirementDelay(timings), timings);
    expect(retired.keys.map((key) => key.kid)).toEqual([second]);
  });

  it('lets only the active key sign in the provider key set, and publishes no private part', async () => {
    const set = await stageKey(await initialKeySet(0), 0);
    const provider = providerJwks(set).keys;
    expect(provider.filter((key) => key.key_ops === undefined)).toHaveLength(1);
    expect(provider.find((key) => key.key_ops !== undefined)?.key_ops).toEqual(['verify']);
    for (const key of publicJwks(set).keys) expect(key).not.toHaveProperty('d');
  });
});
