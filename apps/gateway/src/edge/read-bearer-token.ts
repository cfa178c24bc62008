// Reads the client's opaque access token from `Authorization: Bearer <token>` (RFC 6750 §2.1), and refuses,
// before any hashing or call to auth, everything that is not exactly one well-formed opaque token.

export const DEFAULT_MAX_TOKEN_LENGTH = 512;

export type BearerRead =
  | { readonly kind: 'token'; readonly token: string }
  /** No Authorization header at all: 401 with a bare `Bearer` challenge (RFC 6750 §3.1). */
  | { readonly kind: 'missing' }
  /** Two or more Authorization headers: which one counts would be a parser's guess, so 400. */
  | { readonly kind: 'duplicate' }
  /** A header or token longer than the gateway accepts: 431. */
  | { readonly kind: 'too_large' }
  /** Another scheme, no token, or a token that is not a token68: 401 `invalid_token`. */
  | { readonly kind: 'malformed' }
  /** A JWT: clients only ever hold opaque tokens, so one in a client's hands is leaked or forged: 401. */
  | { readonly kind: 'jwt_presented' };

// RFC 6750 §2.1 b64token (token68 of RFC 9110 §11.2).
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const AUTHORIZATION = 'authorization';

/** Counts Authorization headers in the raw list: node joins duplicates into one value, which hides them. */
function countAuthorizationHeaders(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index];
    if (name !== undefined && name.length === AUTHORIZATION.length && name.toLowerCase() === AUTHORIZATION) {
      count += 1;
    }
  }
  return count;
}

export function readBearerToken(
  rawHeaders: readonly string[],
  header: string | undefined,
  maxTokenLength: number = DEFAULT_MAX_TOKEN_LENGTH,
): BearerRead {
  if (header === undefined) return { kind: 'missing' };
  if (countAuthorizationHeaders(rawHeaders) > 1) return { kind: 'duplicate' };
  // 'Bearer' + one space + the token: anything longer cannot hold an acceptable token.
  if (header.length > maxTokenLength + 7 + 8) return { kind: 'too_large' };
  const space = header.indexOf(' ');
  if (space === -1 || header.slice(0, space).toLowerCase() !== 'bearer') return { kind: 'malformed' };
  const token = header.slice(space + 1).trimStart();
  if (token.length === 0 || !TOKEN68.test(token)) return { kind: 'malformed' };
  if (token.length > maxTokenLength) return { kind: 'too_large' };
  if (token.startsWith('eyJ') && token.includes('.')) return { kind: 'jwt_presented' };
  return { kind: 'token', token };
}
