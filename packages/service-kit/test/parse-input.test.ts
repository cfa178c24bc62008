import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';

import { AppError } from '../src/errors.js';
import { parseInput } from '../src/parse-input.js';

const newOrder = z.strictObject({ item: z.string().min(1), quantity: z.number().int().positive() });

describe('parseInput', () => {
  it('returns the typed value', () => {
    expect(parseInput(newOrder, { item: 'book', quantity: 2 })).toEqual({ item: 'book', quantity: 2 });
  });

  it('throws 400 invalid_request with a fixed message that quotes nothing', () => {
    let caught: unknown;
    try {
      parseInput(newOrder, { item: 'hunter2', quantity: -1, extra: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ status: 400, code: 'invalid_request' });
    expect((caught as AppError).expose).not.toContain('hunter2');
  });
});
