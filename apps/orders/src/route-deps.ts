// What the route factories share: the repository, the outbound clients, the logger and the clock.
import type { Request } from 'express';
import { auditDecision } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';

import type { PaymentsClient } from './clients/payments-client.js';
import type { PaymentsTokenExchanger } from './clients/token-exchange-client.js';
import type { OrdersRepository } from './db/orders-repository.js';

export interface RouteDeps {
  readonly repository: OrdersRepository;
  readonly tokenExchanger: PaymentsTokenExchanger;
  readonly payments: PaymentsClient;
  readonly logger: Logger;
  readonly now: () => Date;
  /** The fake payment-method reference orders charges with; clients never send payment details. */
  readonly paymentMethod: string;
}

/**
 * Records an object-level refusal: the order exists but belongs to someone else. The client gets the same
 * 404 as for an order that does not exist; only the audit log tells the two apart, for BOLA detection.
 */
export async function auditNotOwner(
  deps: RouteDeps,
  req: Request,
  route: string,
  orderId: string,
): Promise<void> {
  if (!(await deps.repository.orderExists(orderId))) return;
  auditDecision(deps.logger, {
    route,
    decision: 'deny',
    reason: 'not_owner',
    ...(req.auth === undefined ? {} : { subject: req.auth.sub }),
    ...(req.auth?.act === undefined ? {} : { caller: req.auth.act.sub }),
    ...(req.id === undefined ? {} : { requestId: req.id }),
  });
}
