// The waits of a signing-key rotation, from what consumers cache and how long signed tokens live.
import { INTERNAL_TOKEN_TTL_SECONDS } from '../provider/token-exchange-grant.js';
import type { RotationTimings } from './signing-key-set.js';

/** Verifiers tolerate a few seconds past `exp` (token-verification: 5 s); allow for more. */
export const ROTATION_CLOCK_TOLERANCE_SECONDS = 30;
/** Covers auth noticing the changed file (1 s poll), requests in flight and clock drift between hosts. */
export const ROTATION_MARGIN_SECONDS = 60;

export function rotationTimings(jwksCacheMaxAgeSeconds: number): RotationTimings {
  return {
    jwksCacheMaxAgeSeconds,
    // Internal JWTs and ID tokens both live at most this long; opaque tokens are not signed.
    maxSignedTokenLifetimeSeconds: INTERNAL_TOKEN_TTL_SECONDS,
    clockToleranceSeconds: ROTATION_CLOCK_TOLERANCE_SECONDS,
    marginSeconds: ROTATION_MARGIN_SECONDS,
  };
}
