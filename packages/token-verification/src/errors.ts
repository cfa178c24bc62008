// The one error a verifier throws. Callers branch on `code`; messages are fixed, generic strings that never
// carry the token, its claims or the wording and codes of the underlying JOSE library.

/** Why a token was refused. Stable: services, logs and tests key on these strings. */
export type TokenVerificationErrorCode =
  | 'token_malformed'
  | 'alg_not_allowed'
  | 'signature_invalid'
  | 'key_not_found'
  | 'claim_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'jwks_unavailable';

export class TokenVerificationError extends Error {
  override readonly name = 'TokenVerificationError';
  readonly code: TokenVerificationErrorCode;
  /** The claim (or `typ` header) that failed, when one did; safe to log, it is a name, never a value. */
  readonly claim: string | undefined;

  constructor(code: TokenVerificationErrorCode, message: string, claim?: string) {
    super(message);
    this.code = code;
    this.claim = claim;
  }
}
