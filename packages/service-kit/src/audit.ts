// One structured line per authorization decision (`audit: true`), so allows and denies can be queried and
// alerted on. Only the named fields are written: identifiers, never tokens or claims sets.
import type { Logger } from 'pino';

export type AuditOutcome = 'allow' | 'deny';

export interface AuditDecision {
  /** The user the request acts for (`sub`), when there is one. */
  readonly subject?: string;
  /** The OAuth client the user's token was issued to (`client_id`). */
  readonly client?: string;
  /** The service that made this call (the caller in the topology, e.g. `gateway`, `orders`). */
  readonly caller?: string;
  /** The route template that was decided on, e.g. `GET /orders/:id`; templates, not paths, keep ids out. */
  readonly route: string;
  readonly decision: AuditOutcome;
  /** A stable machine-readable reason, e.g. `caller_not_allowed`, `owner_mismatch`, `ok`. */
  readonly reason: string;
  readonly requestId?: string;
}

// Checked at run time too: a misspelt outcome would silently drop out of every audit query.
const OUTCOMES: ReadonlySet<string> = new Set<AuditOutcome>(['allow', 'deny']);

export function auditDecision(logger: Logger, decision: AuditDecision): void {
  if (!OUTCOMES.has(decision.decision)) {
    throw new TypeError("auditDecision: field \"decision\" must be 'allow' or 'deny'");
  }
  // Copied field by field, so nothing else a caller puts on the object (a token, a claims set) is logged.
  logger.info(
    {
      audit: true,
      decision: decision.decision,
      route: decision.route,
      reason: decision.reason,
      subject: decision.subject,
      client: decision.client,
      caller: decision.caller,
      requestId: decision.requestId,
    },
    'authorization decision',
  );
}
