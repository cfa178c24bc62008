// web's one error class: stable codes for what can go wrong between the BFF and auth or the gateway.
export type WebErrorCode = 'sign_in_failed' | 'refresh_failed' | 'revocation_failed' | 'api_unreachable';

export class WebError extends Error {
  override readonly name = 'WebError';
  readonly code: WebErrorCode;

  constructor(code: WebErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
