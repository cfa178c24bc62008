// The audit-then-act pair, written once. Every decision is one audit line, and nothing a decision allows or
// refuses happens before its line is written: decisions taken in one turn of the event loop are written
// together (one write, one syscall, instead of one per request), and only then are the requests forwarded
// or answered. A crash can lose a decision only together with its effect, never the line of something done.
import type { AuditSink, EdgeDecision } from '../audit.js';
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

/** A decision to let a request through: why, on which route, and for whom (user routes). */
export interface Allowance {
  readonly reason: 'forwarded' | 'public_route' | 'preflight';
  readonly route: string;
  readonly resolution?: Extract<Resolution, { kind: 'resolved' }>;
}

export interface DecisionsOptions {
  readonly audit: AuditSink;
  readonly answers: Answers;
  /** Called when a deferred effect throws (a bug): the request must still get an answer. */
  readonly onEffectError: (exchange: Exchange, error: unknown) => void;
}

export class Decisions {
  readonly #options: DecisionsOptions;
  // Three parallel lists rather than a record per decision: one allocation less per request on the hot path.
  #lines: EdgeDecision[] = [];
  #exchanges: Exchange[] = [];
  #effects: (() => void)[] = [];
  #scheduled = false;
  readonly #commit = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  constructor(options: DecisionsOptions) {
    this.#options = options;
  }

  /** Audits the decision to let the request through; `effect` (the forward) runs once the line is written. */
  allow(exchange: Exchange, allowance: Allowance, effect: () => void): void {
    const { reason, route, resolution } = allowance;
    const { requestId } = exchange;
    const subject = resolution?.subject;
    const client = resolution?.clientId;
    this.#record({ route, allowed: true, reason, requestId, subject, client }, exchange, effect);
  }

  /** Audits the denial; the answer from the refusal table is written once the line is. */
  refuse(exchange: Exchange, denial: Denial): void {
    const { route, reason } = denial;
    const { requestId } = exchange;
    this.#record({ route, allowed: false, reason, requestId }, exchange, () => {
      this.#options.answers.refuse(exchange, denial.reason, denial.extra);
    });
  }

  /** Writes the pending lines, then carries out their decisions (also called on exit, for the lines). */
  flush(): void {
    const lines = this.#lines;
    const exchanges = this.#exchanges;
    const effects = this.#effects;
    if (lines.length === 0) return;
    this.#lines = [];
    this.#exchanges = [];
    this.#effects = [];
    const { audit, onEffectError } = this.#options;
    try {
      if (audit.batch === undefined) for (const line of lines) audit(line);
      else audit.batch(lines);
    } catch (error) {
      // Fail closed: what could not be audited is not done, and every waiting request gets a 500.
      for (const exchange of exchanges) onEffectError(exchange, error);
      return;
    }
    for (let index = 0; index < effects.length; index += 1) {
      try {
        effects[index]?.();
      } catch (error) {
        const exchange = exchanges[index];
        if (exchange !== undefined) onEffectError(exchange, error);
      }
    }
  }

  #record(decision: EdgeDecision, exchange: Exchange, effect: () => void): void {
    this.#lines.push(decision);
    this.#exchanges.push(exchange);
    this.#effects.push(effect);
    if (!this.#scheduled) {
      this.#scheduled = true;
      // After the poll phase: every request that arrived in this turn has been decided by then.
      setImmediate(this.#commit);
    }
  }
}
