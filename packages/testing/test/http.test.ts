// Typed reads of response bodies: the error code and a field when they are there, undefined otherwise.
import { describe, expect, it } from '@jest/globals';

import { errorCode, field } from '../src/http.js';

describe('errorCode', () => {
  it('reads error.code of the error envelope', () => {
    expect(errorCode({ body: { error: { code: 'not_found', message: 'x' } } })).toBe('not_found');
  });

  it.each([undefined, null, 'text', [], {}, { error: 'x' }, { error: null }, { error: {} }])(
    'is undefined for a body that is not an envelope: %j',
    (body) => {
      expect(errorCode({ body })).toBeUndefined();
    },
  );
});

describe('field', () => {
  it('reads one top-level field of an object body', () => {
    expect(field({ body: { id: 'o-1', total: 3 } }, 'total')).toBe(3);
    expect(field({ body: { id: 'o-1' } }, 'missing')).toBeUndefined();
  });

  it('is undefined for a body that is not an object', () => {
    expect(field({ body: null }, 'id')).toBeUndefined();
    expect(field({ body: 'text' }, 'id')).toBeUndefined();
  });
});
