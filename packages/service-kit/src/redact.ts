// Keeps credentials out of log lines. Two passes: by key name over the structured record (any casing, any depth),
// then by shape over the final JSON line (JWTs, `Bearer ...`, token query parameters, PEM private keys).

export const REDACTED = '[Redacted]';

// Keys are compared after lower-casing and dropping '-' and '_', so `Set-Cookie`, `set_cookie` and `setCookie`
// are one key. A key is sensitive when it equals one of these or ends with one ("refresh_token", "x-api-key").
const SENSITIVE_KEY_SUFFIXES = [
  'authorization', // Authorization, Proxy-Authorization
  'cookie',
  'cookies', // Cookie, Set-Cookie
  'token',
  'tokens', // token, access_token, refresh_token, id_token, subject_token, actor_token, x-csrf-token
  'jwt',
  'assertion', // client_assertion, assertion (RFC 7521)
  'codeverifier', // PKCE
  'secret', // secret, client_secret
  'password',
  'passwd',
  'passphrase',
  'apikey', // api_key, x-api-key
  'privatekey',
  'credential',
  'credentials',
] as const;

// Private members of a JWK (RFC 7518 §6): redacted only inside an object that has a `kty`, since the names are short.
const PRIVATE_JWK_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);

export function isSensitiveKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_]/g, '');
  return SENSITIVE_KEY_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

// Bounds that keep scrubbing cheap whatever is logged (a whole request object, a huge array): past MAX_NODES
// values in one record, the rest of each object or array is replaced by '[Truncated]'.
const MAX_DEPTH = 8;
const MAX_NODES = 1000;
const MAX_CAUSES = 3;

interface Walk {
  nodes: number;
  readonly ancestors: Set<object>;
}

/** A scrubbed copy of a log record's fields. Never mutates its input and never throws. */
export function scrubRecord(record: object): Record<string, unknown> {
  const walk: Walk = { nodes: 0, ancestors: new Set() };
  const result = scrub(record, 0, walk);
  return isPlainRecord(result) ? result : { value: result };
}

/** Only the fields of an error that help debugging: no arbitrary own properties (requests, configs, bodies). */
export function serializeError(error: unknown): unknown {
  return error instanceof Error ? scrub(error, 0, { nodes: 0, ancestors: new Set() }) : error;
}

function scrub(value: unknown, depth: number, walk: Walk): unknown {
  walk.nodes += 1;
  if (value === null || typeof value !== 'object') return value;
  if (walk.ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  walk.ancestors.add(value);
  try {
    return scrubObject(value, depth, walk);
  } catch {
    // Proxies, throwing getters and toJSON methods must not take the log call (or the request) down.
    return '[Unreadable]';
  } finally {
    walk.ancestors.delete(value);
  }
}

function scrubObject(value: object, depth: number, walk: Walk): unknown {
  if (value instanceof Error) return scrubError(value, depth, walk);
  // Bytes may be key material; their length is enough for a log.
  if (value instanceof ArrayBuffer) return `[Binary ${value.byteLength} bytes]`;
  if (ArrayBuffer.isView(value)) return `[Binary ${value.byteLength} bytes]`;
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    const copy: unknown[] = [];
    for (const item of items) {
      if (walk.nodes >= MAX_NODES) {
        copy.push('[Truncated]');
        break;
      }
      copy.push(scrub(item, depth + 1, walk));
    }
    return copy;
  }
  if (value instanceof Date) return value;
  if ('toJSON' in value && typeof value.toJSON === 'function') {
    // URL and friends serialize through toJSON; scrub what they turn into (a URL's query is scrubbed per line).
    const toJSON = value.toJSON as (this: object) => unknown;
    return scrub(toJSON.call(value), depth + 1, walk);
  }
  const isJwk = 'kty' in value && typeof value.kty === 'string';
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (isSensitiveKey(key) || (isJwk && PRIVATE_JWK_MEMBERS.has(key))) {
      copy[key] = REDACTED;
      continue;
    }
    if (walk.nodes >= MAX_NODES) {
      copy[key] = '[Truncated]';
      break;
    }
    copy[key] = scrub((value as Record<string, unknown>)[key], depth + 1, walk);
  }
  return copy;
}

function scrubError(error: Error, depth: number, walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  if ('code' in error && (typeof error.code === 'string' || typeof error.code === 'number'))
    out.code = error.code;
  if ('status' in error && typeof error.status === 'number') out.status = error.status;
  if (typeof error.stack === 'string') out.stack = error.stack;
  if (error.cause !== undefined && depth < MAX_CAUSES) out.cause = scrub(error.cause, depth + 1, walk);
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    const inner: unknown[] = error.errors;
    out.errors = inner.slice(0, 10).map((item) => scrub(item, depth + 1, walk));
  }
  return out;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

// --- the line pass -------------------------------------------------------------------------------------------
// Runs over the serialized JSON line, so it also covers the message, error messages and stacks, and child
// bindings, whatever path pino took to write them. Two invariants, each covered by a test:
// - linear time: character classes never overlap the separator that follows them, and a run of token characters
//   is only tried from its start (the lookbehinds), so hostile input cannot make a log call slow;
// - the line stays valid JSON: a match never contains a quote and never starts or ends inside an escape
//   sequence (`\n`, `\u001b`, `\"`), and the replacement contains neither quotes nor backslashes.

// A dotted run of base64url segments (JWS has three, JWE five). It starts after a character that is not part
// of a token, or right after a complete JSON escape: a letter escape (`\n`, `\t`), a `\u001b`, or an even run of
// backslashes (escaped backslashes; an odd run ends in the start of an escape, whose letter must stay). The
// leading lookahead keeps the lookbehinds off positions that cannot start a run (inside a run of backslashes,
// where the backslash-counting lookbehind would make the pass quadratic).
const DOTTED_RUN =
  /(?=[A-Za-z0-9_.-])(?:(?<=\\(?:[bfnrt]|u[0-9A-Fa-f]{4}))|(?<=(?<!\\)(?:\\\\)+)|(?<![A-Za-z0-9_.\\-]))\.*[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){2,}/g;
// Credentials after an HTTP authentication scheme; `\t` is a tab as it appears inside a JSON string. The scheme
// is written back as it was, so a match that starts on the letter of an escape (`\bearer`) leaves it intact.
const AUTH_SCHEME = /(Bearer|Basic|DPoP)(?:\s|\\t)+[A-Za-z0-9\-._~+/]+=*/gi;
// OAuth parameters in a query string or form body (RFC 6749, 7636, 7521, 8693). The value stops before a
// backslash, so it never ends inside an escape.
const SECRET_PARAMETER =
  /(?<=[?&"])(access_token|refresh_token|id_token|token|code|code_verifier|client_secret|client_assertion|assertion|subject_token|actor_token|password)=[^&\s"\\#]*/gi;
// A PEM private key, up to the end of the JSON string it sits in (escapes are skipped whole).
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]{0,20}PRIVATE KEY-----(?:[^"\\]|\\.)*/g;

/** True for a dotted run that looks like a JWT: JSON-looking base64url (`eyJ`) or three long segments. */
function isJwtShaped(run: string): boolean {
  if (run.includes('eyJ')) return true;
  return run.split('.').filter((segment) => segment.length >= 16).length >= 3;
}

/** The JSON line with token-shaped strings replaced by `[Redacted]`; still valid JSON. */
export function scrubLine(line: string): string {
  return line
    .replace(DOTTED_RUN, (run) => (isJwtShaped(run) ? REDACTED : run))
    .replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(SECRET_PARAMETER, (_match, name: string) => `${name}=${REDACTED}`)
    .replace(PEM_PRIVATE_KEY, REDACTED);
}
