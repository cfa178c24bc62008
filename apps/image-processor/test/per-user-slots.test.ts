// PerKeySlots: each key holds at most its share, keys do not affect each other, and nothing is kept for idle keys.
import { describe, expect, it } from '@jest/globals';

import { PerKeySlots } from '../src/slots.js';

describe('PerKeySlots', () => {
  it('gives each key its own share and forgets keys that hold nothing', () => {
    const slots = new PerKeySlots(2);
    const first = slots.tryAcquire('mallory');
    const second = slots.tryAcquire('mallory');
    expect(slots.tryAcquire('mallory')).toBeUndefined();
    const alice = slots.tryAcquire('alice');
    expect(alice).toBeDefined();
    first?.();
    first?.();
    expect(slots.tryAcquire('mallory')).toBeDefined();
    second?.();
    alice?.();
    expect(slots.keys).toBe(1);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a share of %p', (perKey) => {
    expect(() => new PerKeySlots(perKey)).toThrow(TypeError);
  });
});
