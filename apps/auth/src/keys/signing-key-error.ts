// The error of signing-key storage and rotation; `code` is stable and what the rotate-keys command and tests use.

export type SigningKeyErrorCode =
  | 'invalid_key_file'
  | 'insecure_key_file'
  | 'already_staged'
  | 'nothing_staged'
  | 'nothing_to_retire'
  /** The step is refused until consumers' caches or issued tokens allow it; the message says when. */
  | 'too_early';

export class SigningKeyError extends Error {
  readonly code: SigningKeyErrorCode;

  constructor(code: SigningKeyErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SigningKeyError';
    this.code = code;
  }
}
