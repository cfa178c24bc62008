// The client's Idempotency-Key header, read strictly: one key of a fixed alphabet and length, or 400.
import type { Request } from 'express';

import { badRequest } from './errors.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Set to `true` on an answer that replays the recorded result of an earlier request with the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

// Long enough to be unguessable when random, short and plain enough that it can never carry a header split,
// a log-injection payload or a token.
const KEY_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

/** The request's key, or 400 `invalid_idempotency_key` when it is missing, repeated or malformed. */
export function idempotencyKeyOf(req: Request): string {
  const value = req.get(IDEMPOTENCY_KEY_HEADER);
  // Node joins repeated headers with ", ", which the pattern refuses: two keys are no key.
  if (value === undefined || !KEY_PATTERN.test(value)) {
    throw badRequest(
      'invalid_idempotency_key',
      'An Idempotency-Key header of 8 to 128 characters [A-Za-z0-9_-] is required.',
    );
  }
  return value;
}
