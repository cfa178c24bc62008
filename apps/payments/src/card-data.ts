// Refuses anything that looks like card data, so that payments (and its logs, and its database) never hold
// a PAN, a CVC or an expiry date: the only way to name a payment method is a `pm_...` reference.
import { badRequest } from '@airlock/service-kit';
import type { AppError } from '@airlock/service-kit';

// Compared after lower-casing and dropping '-' and '_': `card_number`, `cardNumber`, `CVC`, `exp-month`.
const CARD_FIELD_NAMES = new Set([
  'number',
  'cardnumber',
  'card',
  'pan',
  'cvc',
  'cvv',
  'cvv2',
  'cvc2',
  'csc',
  'securitycode',
  'expiry',
  'expiration',
  'expmonth',
  'expyear',
  'expirymonth',
  'expiryyear',
  'track',
  'track1',
  'track2',
  'cardholder',
  'cardholdername',
]);

// 12 to 19 digits, optionally grouped by spaces or dashes: the shape of a primary account number.
const PAN_SHAPED = /^(?:\d[ -]?){11,18}\d$/;

/** 400 `card_data_refused` when the body carries a card-data field name or a PAN-shaped value; else undefined. */
export function findCardData(body: unknown): AppError | undefined {
  const pending: unknown[] = [body];
  let visited = 0;
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    // Bodies are small (the JSON limit is a few KiB); the bound only keeps a hostile shape cheap.
    if ((visited += 1) > 1000) break;
    if (typeof value === 'string' && PAN_SHAPED.test(value)) return refused();
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, inner] of Object.entries(value)) {
      if (CARD_FIELD_NAMES.has(key.toLowerCase().replace(/[-_]/g, ''))) return refused();
      pending.push(inner);
    }
  }
  return undefined;
}

function refused(): AppError {
  return badRequest(
    'card_data_refused',
    'Card data is never accepted; pass a payment-method reference (pm_...) instead.',
  );
}
