// What orders promises on the wire, route by route: the contracts its route files declare next to their
// schemas. @airlock/openapi reads this list to describe orders' routes under the gateway's /api prefixes.
import type { ServiceContracts } from '@airlock/service-kit/api-contract';

import { service } from './service.js';

import { listAdminOrdersContract } from './routes/admin-orders.list.js';
import { refundAdminOrderContract } from './routes/admin-orders.refund.js';
import { listCatalogContract } from './routes/catalog.list.js';
import { createOrderContract } from './routes/orders.create.js';
import { listOrdersContract } from './routes/orders.list.js';
import { payOrderContract } from './routes/orders.pay.js';
import { showOrderContract } from './routes/orders.show.js';

export const ordersContracts: ServiceContracts = {
  service: service.name,
  routes: [
    listCatalogContract,
    listOrdersContract,
    createOrderContract,
    showOrderContract,
    payOrderContract,
    listAdminOrdersContract,
    refundAdminOrderContract,
  ],
};
