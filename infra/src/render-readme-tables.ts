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
      const readers = stack.services
        .filter((service) => service.mounts.some((mount) => mount.volume === volume.name && mount.readOnly))
        .map((service) => service.name);
      const target = stack.services
        .flatMap((service) => service.mounts)
        .find((mount) => mount.volume === volume.name)?.target;
      const holds =
        volume.purpose === 'data'
          ? `private state of ${volume.owner}: keys, database (\`${target ?? ''}\`)`
          : `public workload key of ${volume.owner} (\`${target ?? ''}\`)`;
      return `| \`${volume.name}\` | ${holds} | ${volume.owner} | ${readers.length === 0 ? '-' : readers.join(', ')} |`;
    }),
  ].join('\n');
}

export function renderServicesTable(stack: Stack): string {
  return [
    '| service | networks | published | memory | pids | waits for |',
    '| --- | --- | --- | --- | --- | --- |',
    ...stack.services.map(
      (service) =>
        `| ${service.name} | ${service.networks.join(', ')} | ${
          service.publish === undefined ? '-' : `${service.publish.address}:${service.publish.hostPort}`
        } | ${service.memoryMb} MB | ${service.pidsLimit} | ${
          service.dependsOnHealthy.length === 0 ? '-' : service.dependsOnHealthy.join(', ')
        } |`,
    ),
  ].join('\n');
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}
