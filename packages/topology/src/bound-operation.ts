// Tokens bound to one operation (RFC 9396 authorization details): the one detail such a token carries, parsed the
// same way by the caller that asks for it, by auth that signs it and by the callee that compares it with the
// request, and where the topology says a route requires one.
import type { HttpMethod, OperationBindingSpec, Topology } from './model.js';

/** The JWT claim and token-request parameter (RFC 9396 §2, §9.1). */
export const AUTHORIZATION_DETAILS = 'authorization_details';

/** One operation on one object for one amount: a charge of an order, a refund of a charge. */
export interface BoundOperation {
  readonly type: string;
  /** Exactly one operation, as the topology names it on the callee's route (`charge`, `refund`). */
  readonly actions: readonly [string];
  /** The object it acts on: the order for a charge, the charge for a refund. */
  readonly identifier: string;
  /** In minor units (cents). */
  readonly amount: number;
  /** ISO 4217 code. */
  readonly currency: string;
  /**
   * A refund only: the order the refunded charge belongs to, which is what the admin's intent names (auth compares
   * it with the intent; payments with the charge). A charge names its order as `identifier` and carries none.
   */
  readonly order?: string;
}

const KEYS = ['actions', 'amount', 'currency', 'identifier', 'type'];
const KEYS_WITH_ORDER = ['actions', 'amount', 'currency', 'identifier', 'order', 'type'];
const NAME = /^[a-z][a-z0-9_:.-]{0,63}$/;
const IDENTIFIER = /^[A-Za-z0-9_-]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;

/**
 * The one well-formed detail of an `authorization_details` value (the parsed JSON array), or undefined for
 * anything else: not an array, not exactly one detail, a missing, extra or malformed member.
 */
export function parseBoundOperation(value: unknown): BoundOperation | undefined {
  if (!Array.isArray(value) || value.length !== 1) return undefined;
  const [detail] = value as unknown[];
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return undefined;
  const fields = detail as Record<string, unknown>;
  const keys = Object.keys(fields).sort().join(',');
  if (keys !== KEYS.join(',') && keys !== KEYS_WITH_ORDER.join(',')) return undefined;
  const { type, actions, identifier, amount, currency, order } = fields;
  if (typeof type !== 'string' || !NAME.test(type)) return undefined;
  if (!Array.isArray(actions) || actions.length !== 1) return undefined;
  const [action] = actions as unknown[];
  if (typeof action !== 'string' || !NAME.test(action)) return undefined;
  if (typeof identifier !== 'string' || !IDENTIFIER.test(identifier)) return undefined;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1) return undefined;
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) return undefined;
  if (order === undefined) return { type, actions: [action], identifier, amount, currency };
  if (typeof order !== 'string' || !IDENTIFIER.test(order)) return undefined;
  return { type, actions: [action], identifier, amount, currency, order };
}

/** The object a user's intent must name for this operation: the refund's order, else the charged order. */
export function intendedObjectOf(operation: BoundOperation): string {
  return operation.order ?? operation.identifier;
}

/** True when both name the same operation on the same object for the same amount and currency. */
export function sameOperation(a: BoundOperation, b: BoundOperation): boolean {
  return (
    a.type === b.type &&
    a.actions[0] === b.actions[0] &&
    a.identifier === b.identifier &&
    a.amount === b.amount &&
    a.currency === b.currency &&
    a.order === b.order
  );
}

/** What a route of `service` requires of a bound token: the binding and its operation, or undefined. */
export function operationOfRoute(
  topology: Topology,
  service: string,
  method: HttpMethod,
  path: string,
): (OperationBindingSpec & { readonly operation: string }) | undefined {
  for (const call of topology.calls) {
    if (call.to !== service || call.bindsOperation === undefined) continue;
    const route = call.routes.find((candidate) => candidate.method === method && candidate.path === path);
    if (route?.operation !== undefined) return { ...call.bindsOperation, operation: route.operation };
  }
  return undefined;
}
