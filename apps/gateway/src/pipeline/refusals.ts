// Every answer the gateway writes itself, in one place: the client-facing error codes with their one generic
// message, and the refusal table that maps each reason for refusing (the audit reason, or a forwarding
// failure) to its status, its client-facing code and the challenge or Retry-After it carries.
import type { AuditReason } from '../audit.js';
import type { ForwardErrorCode } from '../proxy/forward.js';

/** Stable error codes of the gateway's own answers, with the one client-facing message for each. */
export const GATEWAY_ERRORS = {
  invalid_path: 'The request target is not valid.',
  token_in_query: 'Access tokens are accepted only in the Authorization header.',
  uri_too_long: 'The request target is too long.',
  not_found: 'The requested resource was not found.',
  method_not_allowed: 'The method is not allowed for this resource.',
  missing_token: 'Authentication is required.',
  invalid_token: 'Authentication is required.',
  duplicate_authorization: 'The request must carry exactly one Authorization header.',
  token_too_large: 'The access token is too large.',
  headers_too_large: 'The request headers are too large.',
  unexpected_body: 'This method does not accept a request body.',
  payload_too_large: 'The request body is too large.',
  too_many_requests: 'Too many requests; retry later.',
  insufficient_scope: 'The request is not allowed.',
  cors_origin_denied: 'The request is not allowed.',
  bad_request: 'The request could not be understood.',
  service_unavailable: 'The service is temporarily unavailable.',
  rate_limit_unavailable: 'The service is temporarily unavailable.',
  upstream_unavailable: 'The service is temporarily unavailable.',
  upstream_timeout: 'The service did not answer in time.',
  bad_gateway: 'The service answered with an error.',
  upstream_response_rejected: 'The service answered with an error.',
  internal_error: 'An unexpected error occurred.',
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/** The audit reasons that refuse a request (everything but the three that let one through). */
export type DenyReason = Exclude<AuditReason, 'forwarded' | 'public_route' | 'preflight'>;

/**
 * Why the gateway answers with an error: a denial (audited with that reason), a failure after the request was
 * let through (its decision is already audited), or a request node's parser refused (no route, no decision).
 */
export type Refusal =
  | DenyReason
  | ForwardErrorCode
  | 'internal_error'
  /** The client address for auth could not be signed (the gateway's workload key is unusable). */
  | 'address_unsigned'
  | 'malformed_request'
  | 'request_timeout'
  | 'head_too_large';

export interface RefusalAnswer {
  readonly status: number;
  readonly code: GatewayErrorCode;
  /** `WWW-Authenticate` of the answer (RFC 6750 §3). */
  readonly challenge?: string;
  /** A fixed `Retry-After` (auth failures); rate limits add the one their bucket computed per request. */
  readonly retryAfter?: string;
}

const BEARER_CHALLENGE = 'Bearer realm="airlock"';
const INVALID_TOKEN = 'Bearer realm="airlock", error="invalid_token"';
const AUTH_DOWN: RefusalAnswer = { status: 503, code: 'service_unavailable', retryAfter: '1' };

/** The one table of refusals: status, client-facing code, challenge and Retry-After per reason. */
export const REFUSALS: Readonly<Record<Refusal, RefusalAnswer>> = {
  rate_limited_ip: { status: 429, code: 'too_many_requests' },
  address_unsigned: AUTH_DOWN,
  rate_limited_token: { status: 429, code: 'too_many_requests' },
  rate_limited_exchanges: { status: 429, code: 'too_many_requests', retryAfter: '1' },
  invalid_path: { status: 400, code: 'invalid_path' },
  token_in_query: { status: 400, code: 'token_in_query' },
  uri_too_long: { status: 414, code: 'uri_too_long' },
  cors_origin_denied: { status: 403, code: 'cors_origin_denied' },
  not_found: { status: 404, code: 'not_found' },
  method_not_allowed: { status: 405, code: 'method_not_allowed' },
  unexpected_body: { status: 400, code: 'unexpected_body' },
  payload_too_large: { status: 413, code: 'payload_too_large' },
  missing_token: { status: 401, code: 'missing_token', challenge: BEARER_CHALLENGE },
  duplicate_authorization: {
    status: 400,
    code: 'duplicate_authorization',
    challenge: 'Bearer realm="airlock", error="invalid_request"',
  },
  token_too_large: { status: 431, code: 'token_too_large' },
  malformed_token: { status: 401, code: 'invalid_token', challenge: INVALID_TOKEN },
  jwt_presented: { status: 401, code: 'invalid_token', challenge: INVALID_TOKEN },
  token_inactive: { status: 401, code: 'invalid_token', challenge: INVALID_TOKEN },
  insufficient_scope: {
    status: 403,
    code: 'insufficient_scope',
    challenge: 'Bearer realm="airlock", error="insufficient_scope"',
  },
  auth_unreachable: AUTH_DOWN,
  auth_timeout: AUTH_DOWN,
  auth_error_status: AUTH_DOWN,
  auth_invalid_response: AUTH_DOWN,
  auth_refused_gateway: AUTH_DOWN,
  auth_overloaded: AUTH_DOWN,
  rate_limit_unavailable: { status: 503, code: 'rate_limit_unavailable', retryAfter: '1' },
  // After the decision: the forwarded request failed (a chunked body over its limit is payload_too_large).
  upstream_unavailable: { status: 503, code: 'upstream_unavailable' },
  upstream_timeout: { status: 504, code: 'upstream_timeout' },
  bad_gateway: { status: 502, code: 'bad_gateway' },
  upstream_response_rejected: { status: 502, code: 'upstream_response_rejected' },
  // The client is gone; the status is for the log only.
  client_closed: { status: 499, code: 'bad_request' },
  internal_error: { status: 500, code: 'internal_error' },
  // Refused by node's parser (the server's clientError event).
  malformed_request: { status: 400, code: 'bad_request' },
  request_timeout: { status: 408, code: 'bad_request' },
  head_too_large: { status: 431, code: 'headers_too_large' },
};

/** A refused body may still be arriving; closing the connection is cheaper than reading it to the end. */
export function closesConnection(status: number): boolean {
  return status === 413 || status === 400 || status === 431;
}
