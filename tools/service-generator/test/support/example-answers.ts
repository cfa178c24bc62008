// Answers for one service of each kind the generator makes, shared by its tests.
import { airlockTopology, edgeService } from '@airlock/topology';

import type { ServiceAnswers } from '../../src/answers.js';

const EDGE = edgeService(airlockTopology).name;

export const EXAMPLES = {
  /** The example: a business service in core, reached by clients through the gateway. */
  inventory: {
    name: 'inventory',
    zone: 'core',
    port: 8085,
    edgePrefix: '/api/inventory',
    calledBy: ['gateway'],
  },
  /** A high-risk service in a sandbox of its own. */
  scanner: {
    name: 'scanner',
    zone: 'scanning',
    newZone: 'sandbox',
    port: 8090,
    edgePrefix: '/api/scans',
    calledBy: ['gateway'],
  },
  /** A sensitive service in an enclave of its own, called by orders only. */
  ledger: { name: 'ledger', zone: 'ledger', newZone: 'enclave', port: 8091, calledBy: ['orders'] },
  /** A service that joins an existing enclave, called by the gateway and orders. */
  vault: { name: 'vault', zone: 'payments', port: 8092, calledBy: [EDGE, 'orders'] },
} as const satisfies Record<string, ServiceAnswers>;
