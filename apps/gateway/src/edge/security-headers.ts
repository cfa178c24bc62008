// The response headers every answer of the gateway carries, computed once at start as flat lists that are
// appended to each response. API answers (and the gateway's own errors) are never cached, framed or sniffed;
// auth's pages keep the Cache-Control and Content-Security-Policy that auth chose, and get the rest.

export interface SecurityHeaderOptions {
  /** Sends Strict-Transport-Security; only meaningful when clients reach the gateway over https. */
  readonly https: boolean;
}

const HSTS = ['strict-transport-security', 'max-age=31536000; includeSubDomains'];

const COMMON = [
  'x-content-type-options',
  'nosniff',
  'x-frame-options',
  'DENY',
  'referrer-policy',
  'no-referrer',
];

const API_ONLY = [
  'cache-control',
  'no-store',
  // An API answer is data, never a document: nothing in it may load, run or be framed.
  'content-security-policy',
  "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy',
  'same-origin',
];

export interface SecurityHeaders {
  /** For the gateway's own answers and for user routes (orders, image-processor). */
  readonly api: readonly string[];
  /** For auth's answers: the common set; Cache-Control and CSP come from auth (see `authDefaults`). */
  readonly auth: readonly string[];
  /** Set on auth's answers only when auth did not set them. */
  readonly authDefaults: readonly (readonly [string, string])[];
}

export function securityHeaders(options: SecurityHeaderOptions): SecurityHeaders {
  const common = options.https ? [...COMMON, ...HSTS] : COMMON;
  return {
    api: Object.freeze([...common, ...API_ONLY]),
    auth: Object.freeze([...common]),
    authDefaults: Object.freeze([
      ['cache-control', 'no-store'],
      ['content-security-policy', "frame-ancestors 'none'"],
    ]),
  };
}
