// The package's one error class: stable codes that callers map to their own refusals (a 503 that fails closed).

export type SharedStateErrorCode =
  /** Redis did not answer (not connected, timed out, refused the command): the decision cannot be made. */
  | 'shared_state_unavailable'
  /** Redis answered something the script never returns. */
  | 'shared_state_invalid_reply'
  /** AIRLOCK_REDIS_URL or an option is not usable. */
  | 'shared_state_invalid_option';

export class SharedStateError extends Error {
  override readonly name = 'SharedStateError';
  readonly code: SharedStateErrorCode;

  constructor(code: SharedStateErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
