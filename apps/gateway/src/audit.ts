// One audit line per edge decision (forwarded, or refused and why), through service-kit's auditDecision so
// the fields and their redaction are the same in every service. Never a token: only the subject and client
// that auth resolved it to, the route template and a stable reason.
import { auditDecision, type Logger } from '@airlock/service-kit';

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
  | 'token_inactive'
  | 'insufficient_scope'
  | 'auth_unreachable'
  | 'auth_timeout'
  | 'auth_error_status'
  | 'auth_invalid_response'
  | 'auth_refused_gateway';

export interface EdgeDecision {
  readonly route: string;
  readonly allowed: boolean;
  readonly reason: AuditReason;
  readonly requestId: string;
  readonly subject?: string;
  readonly client?: string;
}

export type AuditSink = (decision: EdgeDecision) => void;

/** The caller, in the topology's terms, of every request the gateway decides on: a client at the edge. */
const EDGE_CALLER = 'client';

export function loggerAuditSink(logger: Logger): AuditSink {
  return (decision) => {
    auditDecision(logger, {
      route: decision.route,
      decision: decision.allowed ? 'allow' : 'deny',
      reason: decision.reason,
      subject: decision.subject,
      client: decision.client,
      caller: EDGE_CALLER,
      requestId: decision.requestId,
    });
  };
}
