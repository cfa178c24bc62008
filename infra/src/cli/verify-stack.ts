// Checks the stack that compose started against the stack the topology describes: every container's
// hardening, networks, published ports and mounts (hardeningProblems), and that each zone network is internal
// when it must be. stack-up.sh runs it after the stack is healthy; it exits 1 and says what differs.
//   node infra/dist/cli/verify-stack.js [--project airlock]
import { execFileSync } from 'node:child_process';
import { airlockTopology } from '@airlock/topology';
import { hardeningProblems, type ContainerInspect } from '../inspect-hardening.js';
import { stackOf } from '../stack.js';

const projectIndex = process.argv.indexOf('--project');
const project = projectIndex === -1 ? 'airlock' : (process.argv[projectIndex + 1] ?? 'airlock');
const stack = stackOf(airlockTopology);

type Inspected = ContainerInspect & { readonly Config: { readonly Labels?: Record<string, string> | null } };

const ids = docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`])
  .split('\n')
  .filter(Boolean);
const containers = ids.length === 0 ? [] : (JSON.parse(docker(['inspect', ...ids])) as Inspected[]);
const byService = new Map(
  containers.map((container) => [container.Config.Labels?.['com.docker.compose.service'], container]),
);

const problems: string[] = [];
for (const service of [...stack.stores, ...stack.services]) {
  const container = byService.get(service.name);
  if (container === undefined) {
    problems.push(`${service.name}: no running container in project ${project}`);
    continue;
  }
  problems.push(
    ...hardeningProblems(service, container, {
      network: (zone) => `${project}_${zone}`,
      volume: (volume) => `${project}_${volume}`,
    }),
  );
}
for (const network of stack.networks) {
  const [inspected] = JSON.parse(docker(['network', 'inspect', `${project}_${network.name}`])) as {
    Internal: boolean;
  }[];
  if (inspected?.Internal !== network.internal) {
    problems.push(
      `network ${network.name}: internal is ${String(inspected?.Internal)}, not ${String(network.internal)}`,
    );
  }
}

if (problems.length > 0) {
  console.error(`verify-stack: the running stack differs from the topology:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `verify-stack: ${stack.stores.length + stack.services.length} containers and ${stack.networks.length} networks are as the topology says ` +
    '(users, read-only roots, capabilities, limits, networks, ports, mounts)',
);

function docker(args: readonly string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}
