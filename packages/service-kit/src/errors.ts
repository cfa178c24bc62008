// The one HTTP error type of a service and the one error envelope every service answers with.
// Routes throw an AppError; the error handler turns it into a status, headers and `errorBody(...)`.

/** The stable codes this package produces. Services add their own with `badRequest(code, ...)` and friends. */
export const errorCodes = {
  badRequest: 'bad_request',
  invalidRequest: 'invalid_request',
  invalidJson: 'invalid_json',
  forbiddenJsonKey: 'forbidden_json_key',
  duplicateJsonKey: 'duplicate_json_key',
  jsonTooDeep: 'json_too_deep',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notFound: 'not_found',
  methodNotAllowed: 'method_not_allowed',
  conflict: 'conflict',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  tooManyRequests: 'too_many_requests',
  internalError: 'internal_error',
  serviceUnavailable: 'service_unavailable',
} as const;

/** The body of every error response in the project. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly requestId?: string;
  };
}

export function errorBody(code: string, message: string, requestId?: string): ErrorBody {
  return { error: requestId === undefined ? { code, message } : { code, message, requestId } };
}

// Codes are part of the public contract (clients and tests branch on them), so they stay machine-shaped.
const CODE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
// RFC 9110 token characters, so a header built from a method list can never carry CR/LF or separators.
const METHOD_PATTERN = /^[A-Z]{1,20}$/;

export interface AppErrorOptions {
  /** HTTP status, 400..599. */
  readonly status: number;
  /** Stable machine-readable code, `snake_case`. */
  readonly code: string;
  /** Message that is safe to send to the client: fixed text, never input, secrets or internals. */
  readonly expose: string;
  /** Response headers that belong to this error (Allow, Retry-After, WWW-Authenticate). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Server-side detail for the logs; never sent. Defaults to `expose`. */
  readonly detail?: string;
  readonly cause?: unknown;
}

/**
 * An error whose status, code and client message were chosen on purpose. Anything that is not an AppError
 * (or a known body-parser error) is answered as 500 `internal_error` with a generic message.
 */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly status: number;
  readonly code: string;
  readonly expose: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(options: AppErrorOptions) {
    super(
      options.detail ?? options.expose,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    if (!Number.isInteger(options.status) || options.status < 400 || options.status > 599) {
      throw new TypeError('AppError: option "status" must be an integer from 400 to 599');
    }
    if (!CODE_PATTERN.test(options.code)) {
      throw new TypeError(
        'AppError: option "code" must be snake_case ([a-z][a-z0-9_]*, at most 64 characters)',
      );
    }
    this.status = options.status;
    this.code = options.code;
    this.expose = options.expose;
    this.headers = Object.freeze({ ...options.headers });
  }
}

export function badRequest(code: string, message: string): AppError {
  return new AppError({ status: 400, code, expose: message });
}

export function invalidJson(): AppError {
  return badRequest(errorCodes.invalidJson, 'The request body is not valid JSON.');
}

/** 401 with a challenge (RFC 9110 §11.6.1). Use one generic message for every reason a token was refused. */
export function unauthorized(challenge = 'Bearer'): AppError {
  return new AppError({
    status: 401,
    code: errorCodes.unauthorized,
    expose: 'Authentication is required.',
    headers: { 'WWW-Authenticate': checkHeaderValue('challenge', challenge) },
  });
}

/** 403. For resources that belong to someone else prefer `notFound()`: a 403 reveals that the resource exists. */
export function forbidden(): AppError {
  return new AppError({ status: 403, code: errorCodes.forbidden, expose: 'The request is not allowed.' });
}

export function notFound(): AppError {
  return new AppError({
    status: 404,
    code: errorCodes.notFound,
    expose: 'The requested resource was not found.',
  });
}

export function methodNotAllowed(allowed: readonly string[]): AppError {
  if (allowed.length === 0 || !allowed.every((method) => METHOD_PATTERN.test(method))) {
    throw new TypeError('methodNotAllowed: "allowed" must be a non-empty list of upper-case HTTP methods');
  }
  return new AppError({
    status: 405,
    code: errorCodes.methodNotAllowed,
    expose: 'The method is not allowed for this resource.',
    headers: { Allow: allowed.join(', ') },
  });
}

export function conflict(
  code: string = errorCodes.conflict,
  message = 'The request conflicts with the current state.',
): AppError {
  return new AppError({ status: 409, code, expose: message });
}

export function payloadTooLarge(): AppError {
  return new AppError({
    status: 413,
    code: errorCodes.payloadTooLarge,
    expose: 'The request body is too large.',
  });
}

export function unsupportedMediaType(): AppError {
  return new AppError({
    status: 415,
    code: errorCodes.unsupportedMediaType,
    expose: 'The request body must be application/json (UTF-8, not compressed).',
  });
}

export function tooManyRequests(retryAfterSeconds: number): AppError {
  return new AppError({
    status: 429,
    code: errorCodes.tooManyRequests,
    expose: 'Too many requests; retry later.',
    headers: { 'Retry-After': retryAfter('retryAfterSeconds', retryAfterSeconds) },
  });
}

/** 503, e.g. when a dependency the decision needs (auth, a JWKS) cannot be reached: fail closed. */
export function serviceUnavailable(retryAfterSeconds?: number, cause?: unknown): AppError {
  return new AppError({
    status: 503,
    code: errorCodes.serviceUnavailable,
    expose: 'The service is temporarily unavailable.',
    headers:
      retryAfterSeconds === undefined
        ? {}
        : { 'Retry-After': retryAfter('retryAfterSeconds', retryAfterSeconds) },
    cause,
  });
}

function retryAfter(option: string, seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new TypeError(`option "${option}" must be a finite number of seconds >= 0`);
  }
  // Retry-After is a whole number of seconds (RFC 9110 §10.2.3); round up so clients never retry early.
  return String(Math.ceil(seconds));
}

function checkHeaderValue(option: string, value: string): string {
  // Visible ASCII and spaces only: a header value built from an argument must never split the response.
  if (!/^[\x20-\x7e]{1,256}$/.test(value)) {
    throw new TypeError(`option "${option}" must be 1..256 printable ASCII characters`);
  }
  return value;
}
