// One audit line per edge decision (forwarded, or refused and why), in exactly the shape of service-kit's
// auditDecision lines (test/audit.test.ts compares the two), so audit queries work the same for every service.
// Never a token: only the subject and client that auth resolved it to, the route template and a stable reason.
//
// Why not auditDecision itself on this path: through service-kit's logger (which scrubs every line for
// credentials: a walk over the record and four regular expressions over the JSON) a line cost ~15-19 us here,
// and through plain pino ~5.7 us; the whole proxy path of a plain node:http + undici proxy is ~40 us. Sampling
// would make the audit trail incomplete, so instead the line is assembled directly (~0.5 us). That is safe
// because nothing in it is free-form input: the route is a topology template, the reason and caller constants,
// the request id a UUID the gateway made, and subject and client must be identifier-shaped (checked below)
// or are replaced. Lines go to the synchronous stdout destination shared with the service logger (index.ts).
// The gateway writes the lines of one event-loop turn with one `batch` call (one write) before it acts on any
// of them (pipeline/decide.ts), so a syscall per request is saved and no effect ever precedes its line.
import type { DestinationStream } from 'pino';

/** Stable reasons; dashboards and tests key on them. */
export type AuditReason =
  | 'forwarded'
  | 'public_route'
  | 'preflight'
  | 'cors_origin_denied'
  | 'invalid_path'
  | 'token_in_query'
  | 'uri_too_long'
  | 'not_found'
  | 'method_not_allowed'
  | 'missing_token'
  | 'malformed_token'
  | 'jwt_presented'
  | 'duplicate_authorization'
  | 'token_too_large'
  | 'unexpected_body'
  | 'payload_too_large'
  | 'rate_limited_ip'
  | 'rate_limited_token'
  | 'rate_limited_exchanges'
  | 'token_inactive'
  | 'insufficient_scope'
  | 'auth_unreachable'
  | 'auth_timeout'
  | 'auth_error_status'
  | 'auth_invalid_response'
  | 'auth_refused_gateway'
  | 'auth_overloaded'
  /** The shared rate limit (Redis) could not decide: refused, fail closed. */
  | 'rate_limit_unavailable';

export interface EdgeDecision {
  readonly route: string;
  readonly allowed: boolean;
  readonly reason: AuditReason;
  readonly requestId: string;
  readonly subject?: string;
  readonly client?: string;
}

/** Where decisions go: one line each. `batch`, when present, writes several lines with one write. */
export interface AuditSink {
  (decision: EdgeDecision): void;
  readonly batch?: (decisions: readonly EdgeDecision[]) => void;
}

/** The caller, in the topology's terms, of every request the gateway decides on: a client at the edge. */
const EDGE_CALLER = 'client';

// Subjects and client ids are identifiers (user ids, client names, emails at most): no quotes, backslashes or
// control characters, so they need no JSON escaping. Anything else, say a token or a JWT a misconfigured auth
// put in `sub`, is not written.
const IDENTIFIER = /^[A-Za-z0-9._@:+-]{1,128}$/;
const NOT_AN_IDENTIFIER = '[not-an-identifier]';

function identifier(value: string): string {
  return IDENTIFIER.test(value) && !value.startsWith('eyJ') ? value : NOT_AN_IDENTIFIER;
}

export interface AuditLineOptions {
  readonly service: string;
  readonly destination: Pick<DestinationStream, 'write'>;
  /** Clock in epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

/** The audit sink: one JSON line per decision, written to `destination`. */
export function auditLineSink(options: AuditLineOptions): AuditSink {
  const now = options.now ?? Date.now;
  const head = `{"level":"info","time":"`;
  const service = `","service":${JSON.stringify(options.service)},"audit":true,"decision":"`;
  const routes = new Map<string, string>();
  const encodedRoute = (route: string): string => {
    let encoded = routes.get(route);
    if (encoded === undefined) {
      encoded = JSON.stringify(route);
      // Route labels are a closed set (topology templates and one placeholder); the cap is a safety net.
      if (routes.size < 1000) routes.set(route, encoded);
    }
    return encoded;
  };
  const line = (decision: EdgeDecision, time: string): string => {
    let text = `${head}${time}${service}${decision.allowed ? 'allow' : 'deny'}","route":${encodedRoute(decision.route)},"reason":"${decision.reason}"`;
    if (decision.subject !== undefined) text += `,"subject":"${identifier(decision.subject)}"`;
    if (decision.client !== undefined) text += `,"client":"${identifier(decision.client)}"`;
    return `${text},"caller":"${EDGE_CALLER}","requestId":"${decision.requestId}","msg":"authorization decision"}\n`;
  };
  const sink = (decision: EdgeDecision): void => {
    options.destination.write(line(decision, new Date(now()).toISOString()));
  };
  // Lines decided in the same turn of the event loop share one clock reading and one write (one syscall).
  sink.batch = (decisions: readonly EdgeDecision[]): void => {
    const time = new Date(now()).toISOString();
    let lines = '';
    for (const decision of decisions) lines += line(decision, time);
    options.destination.write(lines);
  };
  return sink;
}
