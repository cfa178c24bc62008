// Public entry of @airlock/token-verification: decides whether an internal JWT is trusted.
export { createTokenVerifier } from './create-token-verifier.js';
export type { TokenVerifier } from './create-token-verifier.js';
export { TokenVerificationError } from './errors.js';
export type { TokenVerificationErrorCode } from './errors.js';
export { DEFAULT_CLOCK_TOLERANCE_SECONDS } from './options.js';
export type { AsymmetricAlgorithm, TokenVerifierOptions, VerifiedTokenCacheOptions } from './options.js';
export type { CheckedHeader } from './precheck-token.js';
export { requireToken } from './require-token.js';
export type { RejectionCode, RequireTokenOptions, TokenRejection } from './require-token.js';
export type { VerifiedToken } from './verified-token.js';
