// Answers with the outcome of an idempotent operation: the recorded response (fresh or replayed) or 409.
import type { Response } from 'express';
import { conflict, IDEMPOTENT_REPLAYED_HEADER } from '@airlock/service-kit';

import type { IdempotentOutcome } from '../db/payments-repository.js';

export function sendIdempotent(res: Response, outcome: IdempotentOutcome): void {
  if (outcome.kind === 'key_reused') {
    throw conflict(
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different request.',
    );
  }
  if (outcome.kind === 'replayed') res.set(IDEMPOTENT_REPLAYED_HEADER, 'true');
  res.status(outcome.response.status).json(outcome.response.body);
}
