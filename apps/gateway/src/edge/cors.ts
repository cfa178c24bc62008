// CORS for the first-party web client only. The allowlist is exact origins from configuration (empty by
// default: no cross-origin access at all). Preflights are answered here and never reach a service; upstream
// CORS headers are dropped, so the gateway alone decides. Other origins get no CORS headers at all.
// Tokens travel in the Authorization header, not cookies, so credentials mode is never allowed.

export const PREFLIGHT_MAX_AGE_SECONDS = 600;
const ALLOWED_REQUEST_HEADERS = new Set(['authorization', 'content-type', 'idempotency-key', 'accept']);
const EXPOSED_HEADERS = 'x-request-id, retry-after, location';

export class CorsPolicy {
  readonly #origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    for (const origin of origins) {
      // An origin is scheme://host[:port], nothing more: a path, a wildcard or `null` would widen the list.
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        throw new TypeError(`CorsPolicy: "${origin}" is not an origin`);
      }
      if (parsed.origin !== origin || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
        throw new TypeError(`CorsPolicy: "${origin}" is not an origin (scheme://host[:port])`);
      }
    }
    this.#origins = new Set(origins);
  }

  get enabled(): boolean {
    return this.#origins.size > 0;
  }

  isAllowed(origin: string | undefined): origin is string {
    return origin !== undefined && this.#origins.has(origin);
  }

  /** Headers for an actual (non-preflight) response to an allowed origin. */
  responseHeaders(origin: string): string[] {
    return [
      'access-control-allow-origin',
      origin,
      'access-control-expose-headers',
      EXPOSED_HEADERS,
      'vary',
      'Origin',
    ];
  }

  /**
   * Headers for a preflight to an allowed origin, or undefined when the requested headers go beyond what
   * the API reads (the browser then refuses the request).
   */
  preflightHeaders(
    origin: string,
    allow: readonly string[],
    requestHeaders: string | undefined,
  ): string[] | undefined {
    const asked = (requestHeaders ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== '');
    if (!asked.every((name) => ALLOWED_REQUEST_HEADERS.has(name))) return undefined;
    return [
      'access-control-allow-origin',
      origin,
      'access-control-allow-methods',
      allow.join(', '),
      'access-control-allow-headers',
      [...ALLOWED_REQUEST_HEADERS].join(', '),
      'access-control-max-age',
      String(PREFLIGHT_MAX_AGE_SECONDS),
      'vary',
      'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    ];
  }
}
