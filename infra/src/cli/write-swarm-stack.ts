// Writes infra/swarm/airlock-stack.yml (a cluster: the gateway published in host mode, one per node) and
// infra/swarm/airlock-stack.single-node.yml (one node: both gateways, nothing published) from the topology, or
// with --check fails when either differs from what the renderer gives now.
import { airlockTopology } from '@airlock/topology';
import { format, resolveConfig } from 'prettier';
import { renderSwarmStack, type SwarmStackOptions } from '../render-swarm-stack.js';
import { stackOf } from '../stack.js';
import { exitIfStale, isCheck, writeOrCheck, type GeneratedFile } from './generated-files.js';

const stack = stackOf(airlockTopology);

function stackFile(path: string, options: SwarmStackOptions): GeneratedFile {
  return {
    path,
    render: async (_current, absolute) =>
      format(renderSwarmStack(airlockTopology, stack, options), {
        ...(await resolveConfig(absolute)),
        filepath: absolute,
      }),
  };
}

exitIfStale(
  await writeOrCheck(
    [
      stackFile('swarm/airlock-stack.yml', { placement: 'cluster' }),
      stackFile('swarm/airlock-stack.single-node.yml', { placement: 'single-node' }),
    ],
    isCheck(),
  ),
);
