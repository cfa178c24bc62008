// Reads the bearer token from the request's raw headers (RFC 6750 §2.1), and only from there: never from
// the query string or the body. Raw headers, because Node keeps only the first of duplicate Authorization
// headers, and two of them are a request we refuse rather than guess about.

export type BearerReading =
  | { readonly kind: 'token'; readonly token: string }
  /** No Authorization header, or one for another scheme: RFC 6750 §3.1 wants no error code then. */
  | { readonly kind: 'missing' }
  /** Several Authorization headers, or a Bearer one whose credentials are not a single token68. */
  | { readonly kind: 'malformed' };

// RFC 7235 §2.1: credentials = auth-scheme [ 1*SP token68 ]; token68 = 1*( ALPHA / DIGIT / "-" / "." /
// "_" / "~" / "+" / "/" ) *"=". The scheme is matched case-insensitively.
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const SCHEME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+(?: |$)/;

export function readBearerToken(rawHeaders: readonly string[]): BearerReading {
  const values: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() === 'authorization') values.push(rawHeaders[index + 1] ?? '');
  }
  if (values.length === 0) return { kind: 'missing' };
  if (values.length > 1) return { kind: 'malformed' };
  const value = values[0] ?? '';
  const bearer = BEARER.exec(value);
  if (bearer?.[1] !== undefined) return { kind: 'token', token: bearer[1] };
  const scheme = SCHEME.exec(value)?.[0].trim().toLowerCase();
  return scheme === undefined || scheme === 'bearer' ? { kind: 'malformed' } : { kind: 'missing' };
}
