// The request fingerprint that an Idempotency-Key (read by service-kit) is bound to.
import { createHash } from 'node:crypto';

/**
 * A fingerprint of the route and the validated request fields, in a fixed order, so that the same request
 * spelled with reordered JSON keys or extra whitespace is still "the same body".
 */
export function requestHash(route: string, fields: readonly (string | number | null)[]): string {
  return createHash('sha256')
    .update(JSON.stringify([route, ...fields]))
    .digest('base64url');
}
