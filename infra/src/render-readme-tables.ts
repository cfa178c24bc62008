// The tables of infra/README.md that restate the stack: the hardening options and who mounts which volume.
// Generated, so the README cannot promise an option or a mount that the compose file does not have.
import { HARDENING_OPTIONS } from './hardening.js';
import type { Stack } from './stack.js';

export function renderHardeningTable(): string {
  return [
    '| option | value | what it takes away from an attacker |',
    '| --- | --- | --- |',
    ...HARDENING_OPTIONS.map(
      (row) => `| \`${row.option}\` | ${escapeCell(row.value)} | ${escapeCell(row.prevents)} |`,
    ),
  ].join('\n');
}

export function renderVolumesTable(stack: Stack): string {
  return [
    '| volume | holds | read-write in | read-only in |',
    '| --- | --- | --- | --- |',
    ...stack.volumes.map((volume) => {
      const containers = [...stack.services, ...stack.stores, ...stack.oneShots];
      const mountersOf = (readOnly: boolean): string[] =>
        containers
          .filter((container) =>
            container.mounts.some((mount) => mount.volume === volume.name && mount.readOnly === readOnly),
          )
          .map((container) => container.name);
      const readers = mountersOf(true);
      const target = containers
        .flatMap((container) => container.mounts)
        .find((mount) => mount.volume === volume.name && !mount.readOnly)?.target;
      const holds = {
        data: `private state of ${volume.owner}: keys, database (\`${target ?? ''}\`)`,
        'workload-public-key': `public workload key of ${volume.owner} (\`${target ?? ''}\`)`,
        store: `the files of store ${volume.owner}: cluster or ACL file, superuser secret (\`${target ?? ''}\`)`,
        'store-credential': `one user's connection URL for ${volume.owner}, password included (\`${target ?? ''}\` in the init)`,
      }[volume.purpose];
      const writers = mountersOf(false);
      return `| \`${volume.name}\` | ${holds} | ${writers.join(', ')} | ${readers.length === 0 ? '-' : readers.join(', ')} |`;
    }),
  ].join('\n');
}

export function renderServicesTable(stack: Stack): string {
  return [
    '| service | networks | published | memory | pids | waits for |',
    '| --- | --- | --- | --- | --- | --- |',
    ...[...stack.stores, ...stack.services].map(
      (service) =>
        `| ${service.name} | ${service.networks.join(', ')} | ${
          service.publish === undefined ? '-' : `${service.publish.address}:${service.publish.hostPort}`
        } | ${service.memoryMb} MB | ${service.pidsLimit} | ${
          [...service.dependsOnCompleted, ...service.dependsOnHealthy].join(', ') || '-'
        } |`,
    ),
  ].join('\n');
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}
