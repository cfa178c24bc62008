// The audit-then-answer pair, written once: every decision the pipeline takes is one audit line, and every
// denial is answered from the refusal table. Nothing else in the pipeline writes an audit line.
import type { AuditSink } from '../audit.js';
import type { Resolution } from '../phantom/token-cache.js';
import type { Answers } from './answers.js';
import type { Exchange } from './exchange.js';
import type { DenyReason } from './refusals.js';

/** The route label of requests refused before they matched a route. */
export const UNROUTED = '(unrouted)';

/** A step's refusal: the audit reason, the route template if one matched, and headers for the answer. */
export interface Denial {
  readonly ok: false;
  readonly reason: DenyReason;
  readonly route: string;
  /** Per-request headers of the answer (Retry-After of a rate limit, Allow of a 405). */
  readonly extra: readonly string[] | undefined;
}

export function deny(reason: DenyReason, route: string = UNROUTED, extra?: readonly string[]): Denial {
  return { ok: false, reason, route, extra };
}

export class Decisions {
  readonly #audit: AuditSink;
  readonly #answers: Answers;

  constructor(audit: AuditSink, answers: Answers) {
    this.#audit = audit;
    this.#answers = answers;
  }

  allow(
    exchange: Exchange,
    reason: 'forwarded' | 'public_route' | 'preflight',
    route: string,
    resolution?: Extract<Resolution, { kind: 'resolved' }>,
  ): void {
    this.#audit({
      route,
      allowed: true,
      reason,
      requestId: exchange.requestId,
      subject: resolution?.subject,
      client: resolution?.clientId,
    });
  }

  /** Audits the denial, then answers it. */
  refuse(exchange: Exchange, denial: Denial): void {
    this.#audit({
      route: denial.route,
      allowed: false,
      reason: denial.reason,
      requestId: exchange.requestId,
      subject: undefined,
      client: undefined,
    });
    this.#answers.refuse(exchange, denial.reason, denial.extra);
  }
}
