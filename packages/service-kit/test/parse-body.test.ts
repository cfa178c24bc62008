// parseBody: the typed body, 400 unknown_field for fields the schema does not accept (named by no one), or
// 400 invalid_request naming the first failing field of our own schema, never the value.
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';

import { AppError } from '../src/errors.js';
import { parseBody } from '../src/parse-body.js';

const newOrder = z.strictObject({
  items: z.array(z.strictObject({ sku: z.string().min(1), quantity: z.number().int().positive() })).min(1),
  note: z.string().max(10).optional(),
});

function failureOf(body: unknown): AppError {
  try {
    parseBody(newOrder, body);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('parseBody', () => {
  it('returns the typed body', () => {
    const body = { items: [{ sku: 'mug', quantity: 2 }] };
    expect(parseBody(newOrder, body)).toEqual(body);
  });

  it('answers unknown fields, at any depth, with 400 unknown_field and without their names', () => {
    for (const body of [
      { items: [{ sku: 'mug', quantity: 1 }], price: 1 },
      { items: [{ sku: 'mug', quantity: 1, unitPrice: 1 }] },
    ]) {
      const failure = failureOf(body);
      expect(failure).toMatchObject({ status: 400, code: 'unknown_field' });
      expect(failure.expose).not.toMatch(/price|unitPrice/i);
    }
  });

  it('lets an unknown field win over other problems', () => {
    expect(failureOf({ items: [], owner: 'mallory' })).toMatchObject({ code: 'unknown_field' });
  });

  it('names the first failing field of the schema, never its value', () => {
    const failure = failureOf({ items: [{ sku: 'hunter2', quantity: -1 }] });
    expect(failure).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(failure.expose).toBe('The field "items.0.quantity" is invalid.');
    expect(failure.expose).not.toContain('hunter2');
  });

  it('answers a body that is not an object with a generic message', () => {
    for (const body of [undefined, null, 'text', [1]]) {
      const failure = failureOf(body);
      expect(failure).toMatchObject({ status: 400, code: 'invalid_request' });
      expect(failure.expose).toBe('The request body is invalid.');
    }
  });
});
