// Writes the stack file the Swarm proofs deploy (infra/scripts/run-swarm-suite.sh): the single-node stack of
// infra/swarm/, with the issuer on the suite's front door (127.0.0.1:<port>, which forwards to the gateway
// tasks as a cluster's load balancer would) and the proofs' environment. Not committed: made per run.
//
//   node dist/cli/write-swarm-proof-stack.js <file> <port>
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { airlockTopology } from '@airlock/topology';
import { renderSwarmStack } from '../render-swarm-stack.js';
import { stackOf } from '../stack.js';
import { SWARM_PROOF_ENVIRONMENT } from '../swarm-proof-environment.js';

const [file, port] = process.argv.slice(2);
if (file === undefined || port === undefined || !/^\d+$/.test(port)) {
  console.error('usage: write-swarm-proof-stack.js <file> <port>');
  process.exit(2);
}
const stack = stackOf(airlockTopology, {
  publish: { address: '127.0.0.1', port: Number(port) },
  environment: SWARM_PROOF_ENVIRONMENT,
});
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, renderSwarmStack(airlockTopology, stack, { placement: 'single-node' }));
