// Swarm proof 2: an attacker runs code in an image-processor task (either replica). From there they resolve only
// the gateway, connect to no task of another zone and no store on any overlay address, find no credential and
// nowhere to keep one. The container suite's attack script, run in every replica.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { airlockTopology, issuerServiceOf, networksOf, storeInstancesOf } from '@airlock/topology';
import { replicasOf } from '../../src/render-swarm-stack.js';
import { SANDBOX_ATTACK, type SandboxAttackReport } from '../containers/support/in-container-scripts.js';
import { nodeIn } from '../containers/support/stack-state.js';
import { gwbridgeGateway, tasksByService } from './support/swarm-stack.js';

const SANDBOXED = 'image-processor';
/** Every service and store the sandbox shares no network with. */
const NEIGHBOURS = [
  ...airlockTopology.services.map((service) => service.name),
  ...storeInstancesOf(airlockTopology).map((store) => store.name),
].filter(
  (name) =>
    name !== SANDBOXED &&
    !networksOf(airlockTopology).some(
      (network) => network.members.includes(name) && network.members.includes(SANDBOXED),
    ),
);
const reports: SandboxAttackReport[] = [];

beforeAll(async () => {
  const tasks = await tasksByService();
  const addresses = NEIGHBOURS.flatMap((name) =>
    (tasks.get(name) ?? []).flatMap((task) =>
      Object.entries(task.addresses).map(([zone, host]) => ({ name, zone, host, port: task.port })),
    ),
  );
  const ports = [...new Set([...tasks.values()].flatMap((list) => list.map((task) => task.port)))];
  // The sandbox's one overlay is internal: it has no default route, so these stay inside its namespace.
  const hostGateway = await gwbridgeGateway();
  for (const sandbox of tasks.get(SANDBOXED) ?? []) {
    reports.push(
      await nodeIn<SandboxAttackReport>(sandbox, SANDBOX_ATTACK, {
        names: [...NEIGHBOURS, 'gateway'],
        addresses,
        hostGateway,
        ports,
      }),
    );
  }
}, 180_000);

describe('a compromised image-processor task on Swarm', () => {
  it('is attacked in every replica, and has neighbours to attack: the issuer and every store among them', () => {
    expect(reports).toHaveLength(replicasOf(airlockTopology, SANDBOXED));
    expect(NEIGHBOURS).toEqual(
      expect.arrayContaining([
        issuerServiceOf(airlockTopology).name,
        ...storeInstancesOf(airlockTopology).map((store) => store.name),
      ]),
    );
  });

  it('resolves only the gateway: no other zone’s service or store has a name it can look up', () => {
    for (const report of reports) {
      const resolved = [...report.resolved, ...report.looked]
        .filter(
          (result) => Array.isArray(result.answer) || /^\d+\.\d+\.\d+\.\d+$/.test(String(result.answer)),
        )
        .map((result) => result.name);
      expect([...new Set(resolved)]).toEqual(['gateway']);
    }
  });

  it('connects to no task of another zone, no store, and not the host', () => {
    for (const report of reports) {
      expect(report.connections.length).toBeGreaterThan(NEIGHBOURS.length);
      expect(report.connections.filter((connection) => connection.outcome === 'open')).toEqual([]);
    }
  });

  it('finds no credential in its filesystem or environment, and nowhere to keep one', () => {
    for (const report of reports) {
      const writable = report.mounts.filter((m) => m.writable && m.target !== '/tmp' && m.type !== 'tmpfs');
      expect({ found: report.found, environment: report.environment, writable }).toEqual({
        found: [],
        environment: [],
        writable: [],
      });
    }
  });
});
