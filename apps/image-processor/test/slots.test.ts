import { describe, expect, it } from '@jest/globals';

import { Slots } from '../src/slots.js';

describe('Slots', () => {
  it('hands out at most `size` slots and takes each back once', () => {
    const slots = new Slots(2);
    const first = slots.tryAcquire();
    const second = slots.tryAcquire();
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(slots.tryAcquire()).toBeUndefined();
    first?.();
    first?.();
    expect(slots.inUse).toBe(1);
    expect(slots.tryAcquire()).toBeDefined();
    expect(slots.tryAcquire()).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a size of %p', (size) => {
    expect(() => new Slots(size)).toThrow(TypeError);
  });
});
