// Turns a request target into the one canonical path that routing, policy and the upstream all see, or refuses
// it. Whatever is ambiguous (encoded separators, dot segments, parameters, control bytes) is refused, not guessed.
//
// Policy (each line has a test in test/normalize-path.test.ts):
// - origin-form only (`/path?query`); absolute-form, authority-form and `*` are refused;
// - the whole target is at most `maxTargetBytes` (default 2048): longer is 414;
// - only visible ASCII: NUL, control characters, spaces, DEL and non-ASCII bytes are refused;
// - only RFC 3986 path characters: `\`, `;` (path parameters), `#`, quotes, braces and the like are refused;
// - percent-encoded unreserved characters (ALPHA / DIGIT / `-` / `_` / `~`) are decoded (RFC 3986 §6.2.2.2);
//   every other percent-encoding (`%2f`, `%2e`, `%5c`, `%25`, `%00`, `%3b`, ...) is refused, because decoding it
//   would change what the path means and leaving it encoded lets the upstream decode it differently;
// - runs of `/` are collapsed into one (nginx's `merge_slashes`);
// - `.` and `..` segments are refused (browsers resolve them before sending; anyone else is probing);
// - case is preserved: routes are matched case-sensitively, and every declared route is lower-case, so
//   `/API/orders` is simply not a route (404).
// The query string is returned untouched apart from the same byte check and the `access_token` check.

export const DEFAULT_MAX_TARGET_BYTES = 2048;

export type PathRefusal =
  | { readonly status: 400; readonly code: 'invalid_path' | 'token_in_query'; readonly reason: string }
  | { readonly status: 414; readonly code: 'uri_too_long'; readonly reason: string };

export interface NormalizedTarget {
  /** The canonical path: what routing matches and what is forwarded. */
  readonly path: string;
  /** The query string including its leading `?`, or `''`. */
  readonly search: string;
}

export type NormalizeResult =
  | { readonly ok: true; readonly target: NormalizedTarget }
  | { readonly ok: false; readonly refusal: PathRefusal };

function refuse(reason: string): NormalizeResult {
  return { ok: false, refusal: { status: 400, code: 'invalid_path', reason } };
}

// RFC 3986 `pchar` and `/`, without `;`: unreserved, sub-delims but `;`, `:`, `@`. Percent signs are allowed
// here and checked one by one below. Everything else (`\`, `"`, `<`, `{`, `|`, `^`, `#`, spaces...) is refused.
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$&'()*+,=:@%/]*$/;
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;
const UNRESERVED_BYTE = /^[A-Za-z0-9_~-]$/;

export function normalizeTarget(
  rawTarget: string,
  maxTargetBytes: number = DEFAULT_MAX_TARGET_BYTES,
): NormalizeResult {
  // `rawTarget` is the request line as node decoded it (latin1), so its length is its byte length.
  if (rawTarget.length > maxTargetBytes) {
    return { ok: false, refusal: { status: 414, code: 'uri_too_long', reason: 'target_too_long' } };
  }
  if (rawTarget.charCodeAt(0) !== 0x2f /* '/' */) return refuse('not_origin_form');

  const queryAt = rawTarget.indexOf('?');
  const rawPath = queryAt === -1 ? rawTarget : rawTarget.slice(0, queryAt);
  const search = queryAt === -1 ? '' : rawTarget.slice(queryAt);

  if (!PLAIN_PATH.test(rawPath)) return refuse('forbidden_character');
  const decoded = rawPath.includes('%') ? decodeUnreserved(rawPath) : rawPath;
  if (decoded === undefined) return refuse('forbidden_encoding');

  const path = decoded.includes('//') ? decoded.replace(/\/{2,}/g, '/') : decoded;
  if (hasDotSegment(path)) return refuse('dot_segment');

  if (search !== '') {
    if (search.includes('#') || !VISIBLE_ASCII.test(search)) return refuse('forbidden_query_character');
    const tokenCheck = checkQueryForToken(search);
    if (tokenCheck !== undefined) return { ok: false, refusal: tokenCheck };
  }
  return { ok: true, target: { path, search } };
}

/** Decodes `%XX` triplets of unreserved characters; undefined when any other (or a broken) triplet is present. */
function decodeUnreserved(path: string): string | undefined {
  let out = '';
  let from = 0;
  for (let at = path.indexOf('%'); at !== -1; at = path.indexOf('%', from)) {
    const hex = path.slice(at + 1, at + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    if (!UNRESERVED_BYTE.test(char)) return undefined;
    out += path.slice(from, at) + char;
    from = at + 3;
  }
  return out + path.slice(from);
}

function hasDotSegment(path: string): boolean {
  if (!path.includes('.')) return false;
  return path.split('/').some((segment) => segment === '.' || segment === '..');
}

/**
 * RFC 6750 §2.3 allows `access_token` in the query and then says not to: it ends up in logs, histories and
 * Referer headers. The gateway refuses it outright, whatever its encoding (`%61ccess_token`, `access%5Ftoken`).
 */
function checkQueryForToken(search: string): PathRefusal | undefined {
  for (const pair of search.slice(1).split('&')) {
    const equals = pair.indexOf('=');
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    if (rawName === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(rawName.replaceAll('+', ' '));
    } catch {
      return { status: 400, code: 'invalid_path', reason: 'malformed_query' };
    }
    if (name.trim().toLowerCase() === 'access_token') {
      return { status: 400, code: 'token_in_query', reason: 'token_in_query' };
    }
  }
  return undefined;
}
