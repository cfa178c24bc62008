// A payments token moves money once: it names one operation (RFC 9396 authorization details, from auth's token
// exchange) and payments does exactly that operation with it, once. The request must match the detail exactly
// (operation, object, amount, currency, and for a refund the charge's order); anything else is refused with a stable code and does nothing.
import { AppError } from '@airlock/service-kit';
import {
  airlockTopology,
  AUTHORIZATION_DETAILS,
  operationOfRoute,
  parseBoundOperation,
} from '@airlock/topology';
import type { BoundOperation, HttpMethod } from '@airlock/topology';
import type { VerifiedToken } from '@airlock/token-verification';

import { service } from './service.js';
import type { UsedTokens } from './used-tokens.js';

export type OperationRefusalCode =
  /** The token names no operation of this route (no detail, a malformed one, another type or operation). */
  | 'operation_not_bound'
  /** The request is not the operation the token names (another order or charge, amount or currency). */
  | 'operation_mismatch'
  /** The token was already used once. */
  | 'token_already_used';

const MESSAGES: Readonly<Record<OperationRefusalCode, string>> = {
  operation_not_bound: 'The token does not authorize this operation.',
  operation_mismatch: 'The request does not match the operation the token authorizes.',
  token_already_used: 'The token has already been used.',
};

export function operationRefused(code: OperationRefusalCode): AppError {
  return new AppError({ status: 403, code, expose: MESSAGES[code] });
}

export interface OperationGuard {
  /** The token's one operation if it is this route's; otherwise throws operation_not_bound. */
  operationOf(auth: VerifiedToken): BoundOperation;
  /** Throws operation_mismatch unless the request's terms are exactly the token's. */
  requireTerms(operation: BoundOperation, terms: Omit<BoundOperation, 'type' | 'actions'>): void;
  /** Spends the token: throws token_already_used the second time. */
  spend(auth: VerifiedToken): void;
}

/** The guard of one payments route, with the operation the topology gives it. */
export function operationGuard(method: HttpMethod, path: string, usedTokens: UsedTokens): OperationGuard {
  const binding = operationOfRoute(airlockTopology, service.name, method, path);
  if (binding === undefined) throw new Error(`${service.name}: ${method} ${path} binds no operation`);
  return {
    operationOf(auth) {
      const operation = parseBoundOperation(auth.claims[AUTHORIZATION_DETAILS]);
      if (
        operation === undefined ||
        operation.type !== binding.detailsType ||
        operation.actions[0] !== binding.operation
      ) {
        throw operationRefused('operation_not_bound');
      }
      return operation;
    },
    requireTerms(operation, terms) {
      if (
        operation.identifier !== terms.identifier ||
        operation.amount !== terms.amount ||
        operation.currency !== terms.currency ||
        // A refund names the order of its charge (what the admin's intent named at auth); a charge names none.
        operation.order !== terms.order
      ) {
        throw operationRefused('operation_mismatch');
      }
    },
    spend(auth) {
      // Every payments token carries a jti (tokenPolicy.requiredClaims); without one it could not be spent.
      if (auth.jti === undefined || !usedTokens.use(auth.jti, auth.exp)) {
        throw operationRefused('token_already_used');
      }
    },
  };
}
