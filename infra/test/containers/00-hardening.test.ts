// Proof 0: the hardening the compose file promises is what Docker applied, and what a process inside sees.
import { afterAll, describe, expect, it } from '@jest/globals';
import { getContainerRuntimeClient } from 'testcontainers';
import { hardeningProblems, type ContainerInspect } from '../../src/inspect-hardening.js';
import { SELF_INSPECTION } from './support/in-container-scripts.js';
import { markdownTable, recordFinding } from './support/proof-report.js';
import { namingOf, suiteStackOf } from './support/stack-launcher.js';
import { useStack } from './support/use-stack.js';
import { execIn, nodeIn } from './support/stack-state.js';

interface SelfView {
  uid: number;
  gid: number;
  capEff: string;
  capBnd: string;
  noNewPrivs: string;
  seccomp: string;
  writeApp: string;
  writeEtc: string;
  writeRoot: string;
  writeTmp: string;
  tmpMountOptions: string;
  tools: string[];
}

const failures: string[] = [];
const rows: string[][] = [];
const stack = useStack();

afterAll(() => {
  const launchError = stack.launchError();
  if (launchError !== undefined) failures.push(`the stack did not start: ${launchError}`);
  recordFinding({
    id: 'hardening',
    claim:
      'Every container runs as 65532 with no capabilities, no-new-privileges, a read-only root, a small noexec /tmp, ' +
      'memory and pids limits, no shell, and exactly the networks, ports and volumes the topology gives it.',
    method:
      '`docker inspect` of each container compared with the stack derived from the topology, and a Node script ' +
      'run inside each container reading /proc/self/status and trying to write to the app, /etc, / and /tmp.',
    observed: markdownTable(
      [
        'service',
        'uid:gid',
        'CapEff',
        'NoNewPrivs',
        'write /app',
        'write /etc',
        'write /tmp',
        '/tmp options',
        'shell or tools',
      ],
      rows,
    ),
    failures,
  });
});

describe('hardening as deployed', () => {
  it('is what the topology says, container by container (docker inspect)', async () => {
    const client = await getContainerRuntimeClient();
    const spec = suiteStackOf(stack.get().publishedPort);
    for (const service of [...spec.services, ...spec.stores]) {
      const launched = stack.get().services[service.name] ?? stack.get().stores[service.name];
      if (launched === undefined) {
        failures.push(`${service.name}: not running`);
        continue;
      }
      const inspected = (await client.container.dockerode
        .getContainer(launched.containerId)
        .inspect()) as unknown as ContainerInspect;
      failures.push(...hardeningProblems(service, inspected, namingOf(stack.get())));
    }
    for (const network of spec.networks) {
      const inspected = (await client.container.dockerode
        .getNetwork(namingOf(stack.get()).network(network.name))
        .inspect()) as {
        Internal: boolean;
      };
      if (inspected.Internal !== network.internal)
        failures.push(`network ${network.name}: internal is ${String(inspected.Internal)}`);
    }
    expect(failures).toEqual([]);
  });

  it('leaves a process inside each container no identity, capability, writable code or tool to abuse', async () => {
    const problems: string[] = [];
    for (const service of Object.values(stack.get().services)) {
      const view = await nodeIn<SelfView>(service, SELF_INSPECTION);
      rows.push([
        service.name,
        `${view.uid}:${view.gid}`,
        view.capEff,
        view.noNewPrivs,
        view.writeApp,
        view.writeEtc,
        view.writeTmp,
        view.tmpMountOptions,
        view.tools.length === 0 ? 'none' : view.tools.join(', '),
      ]);
      const expectation = (ok: boolean, problem: string): void => {
        if (!ok) problems.push(`${service.name}: ${problem}`);
      };
      expectation(view.uid === 65532 && view.gid === 65532, `runs as ${view.uid}:${view.gid}`);
      expectation(
        /^0+$/.test(view.capEff) && /^0+$/.test(view.capBnd),
        `has capabilities ${view.capEff}/${view.capBnd}`,
      );
      expectation(view.noNewPrivs === '1', 'can gain privileges (NoNewPrivs is not 1)');
      expectation(
        view.writeApp === 'EROFS' && view.writeEtc === 'EROFS' && view.writeRoot === 'EROFS',
        'can write outside /tmp',
      );
      expectation(view.writeTmp === 'written', '/tmp is not writable');
      expectation(
        ['noexec', 'nosuid', 'nodev'].every((option) => view.tmpMountOptions.includes(option)),
        '/tmp is executable',
      );
      expectation(view.tools.length === 0, `has ${view.tools.join(', ')}`);
    }
    failures.push(...problems);
    expect(problems).toEqual([]);
  });

  it('gives the stores (PostgreSQL, Redis) no shell and no Node to run code with', async () => {
    const problems: string[] = [];
    for (const store of Object.values(stack.get().stores)) {
      for (const command of [
        ['/bin/sh', '-c', 'exit 0'],
        ['/bin/bash', '-c', 'exit 0'],
        ['/nodejs/bin/node', '-e', ''],
      ]) {
        const program = command[0] ?? '';
        // A missing program fails the exec itself or exits non-zero (126/127); only a present one exits 0.
        const ran = await execIn(store, command, '/').then(
          (result) => result.exitCode === 0,
          () => false,
        );
        if (ran) problems.push(`${store.name}: has ${program}`);
      }
      rows.push([
        store.name,
        '65532:65532 (docker inspect)',
        '-',
        '-',
        '-',
        '-',
        '-',
        '-',
        'no /bin/sh, bash or node',
      ]);
    }
    failures.push(...problems);
    expect(Object.keys(stack.get().stores).length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
