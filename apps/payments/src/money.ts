// What payments accepts as an amount: integer minor units of an allowed currency, within a sane bound.
// Payments cannot read orders' database, so "the amount matches the order" means: this shape here, the
// charge record binding order, amount and currency (payments-repository.ts), and refunds capped by the charge.

/** ISO 4217 codes payments settles in. Anything else is refused rather than converted. */
export const CURRENCIES = ['EUR', 'USD', 'GBP'] as const;

/** Largest single charge or refund, in minor units (1 000 000.00): far above any real basket, below float trouble. */
export const MAX_AMOUNT = 100_000_000;
