// Translates the errors Express raises for client mistakes (its body parsers and its router) into AppErrors,
// so a bad request is always a 4xx with our own wording and never echoes the library's message or the input.
import type { AppError } from './errors.js';
import { badRequest, errorCodes, invalidJson, payloadTooLarge, unsupportedMediaType } from './errors.js';

const unreadableBody = (): AppError =>
  badRequest(errorCodes.badRequest, 'The request body could not be read.');
const undecodablePath = (): AppError =>
  badRequest(errorCodes.badRequest, 'The request path could not be decoded.');

// Every `type` body-parser 2 and raw-body 3 produce for client mistakes. Types that signal a bug on our side
// ('stream.encoding.set', 'stream.not.readable') are left out on purpose: those stay 500s.
const BODY_PARSER_TYPES = new Map<string, () => AppError>([
  ['entity.too.large', payloadTooLarge],
  ['parameters.too.many', payloadTooLarge],
  ['entity.parse.failed', invalidJson],
  ['querystring.parse.rangeError', unreadableBody],
  ['charset.unsupported', unsupportedMediaType],
  ['encoding.unsupported', unsupportedMediaType],
  ['request.aborted', unreadableBody],
  ['request.size.invalid', unreadableBody],
  ['entity.verify.failed', unreadableBody],
]);

/**
 * The AppError for a known Express client error, or undefined. The library error is dropped, not chained as
 * `cause`: it carries the raw body or path, and its message quotes the input; either may hold a secret.
 */
export function fromLibraryError(error: unknown): AppError | undefined {
  if (!(error instanceof Error)) return undefined;
  if ('type' in error && typeof error.type === 'string') return BODY_PARSER_TYPES.get(error.type)?.();
  // The router throws a URIError with status 400 for a path parameter with bad percent-encoding.
  if (error instanceof URIError && 'status' in error && error.status === 400) return undecodablePath();
  return undefined;
}
