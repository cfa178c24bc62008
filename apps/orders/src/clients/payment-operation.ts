// The one operation a payments token is worth (RFC 9396 authorization details): orders asks auth for a token
// bound to the charge or refund it is about to make, with the type and operation the topology gives payments'
// route, so payments can refuse the token for anything else.
import { airlockTopology, operationOfRoute } from '@airlock/topology';
import type { BoundOperation } from '@airlock/topology';

import { paymentsService } from '../service.js';

export const CHARGE_PATH = '/charges';
export const REFUND_PATH = '/refunds';

export interface OperationTerms {
  /** The order for a charge, the charge for a refund. */
  readonly identifier: string;
  readonly amount: number;
  readonly currency: string;
  /** A refund only: the order of the refunded charge, which the admin's intent names. */
  readonly order?: string;
}

export function paymentOperation(
  path: typeof CHARGE_PATH | typeof REFUND_PATH,
  terms: OperationTerms,
): BoundOperation {
  const binding = operationOfRoute(airlockTopology, paymentsService.name, 'POST', path);
  // The topology is validated at import: a route without its operation is a build mistake, not a request's.
  if (binding === undefined) throw new Error(`the topology binds no operation to POST ${path}`);
  return { type: binding.detailsType, actions: [binding.operation], ...terms };
}
