// Typed column reads: the value when it has the type, a TypeError naming the column (not the value) otherwise.
import { describe, expect, it } from '@jest/globals';

import { integerColumn, textColumn } from '../../src/sqlite/row.js';

const row = { name: 'mug', price: 1450, ratio: 0.5, missing: null, big: 2 ** 53 };

describe('textColumn', () => {
  it('reads text', () => {
    expect(textColumn(row, 'name')).toBe('mug');
  });

  it.each(['price', 'missing', 'absent'])('refuses %s, which is not text', (name) => {
    expect(() => textColumn(row, name)).toThrow(new TypeError(`column "${name}" is not text`));
  });
});

describe('integerColumn', () => {
  it('reads a safe integer', () => {
    expect(integerColumn(row, 'price')).toBe(1450);
  });

  it.each(['name', 'ratio', 'missing', 'big', 'absent'])(
    'refuses %s, which is not a safe integer',
    (name) => {
      expect(() => integerColumn(row, name)).toThrow(new TypeError(`column "${name}" is not an integer`));
    },
  );
});
