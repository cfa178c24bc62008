// The orders API: routes between the service-kit preset and its error handling.
import type { Express } from 'express';
import { z } from 'zod';
import type { Logger } from '../../src/index.js';
import {
  auditDecision,
  createRouter,
  createServiceApp,
  finishApp,
  jsonBody,
  notFound,
  parseInput,
} from '../../src/index.js';

import { currentSubject } from './auth.js'; // the verified token's `sub` (token-verification middleware)
import type { OrderStore } from './store.js';

const newOrderSchema = z.strictObject({
  item: z.string().min(1).max(100),
  quantity: z.number().int().min(1),
});

export interface AppDeps {
  readonly logger: Logger;
  readonly store: OrderStore;
}

export function createApp({ logger, store }: AppDeps): Express {
  const app = createServiceApp({ logger, trustIncomingRequestId: true, readiness: () => store.ping() });

  const orders = createRouter();
  orders.get('/orders/:id', async (req, res) => {
    const order = await store.find(req.params.id);
    const subject = currentSubject(res);
    const allowed = order !== undefined && order.owner === subject;
    auditDecision(logger, {
      subject,
      route: 'GET /orders/:id',
      decision: allowed ? 'allow' : 'deny',
      reason: allowed ? 'owner' : 'not_owner_or_missing',
      requestId: req.id,
    });
    // Someone else's order is a 404, not a 403: the answer does not reveal that it exists.
    if (!allowed) throw notFound();
    res.json(order);
  });
  orders.post('/orders', jsonBody({ limitBytes: 16 * 1024 }), async (req, res) => {
    const input = parseInput(newOrderSchema, req.body); // 400 invalid_request when it does not match
    res.status(201).json(await store.create(currentSubject(res), input));
  });
  app.use(orders);

  return finishApp(app, { logger });
}
