// Renders the stack as a compose file that Compose v1 (1.29, file format 2.4) and Compose v2 both run:
// format 2.4 because v1 honours mem_limit, pids_limit and depends_on conditions only there. No top-level
// `name:` (v1 rejects it); the project name comes from `-p airlock`.
import { Document } from 'yaml';
import { airlockTopology, serviceNamed, zonesJoinedBy } from '@airlock/topology';
import type { Stack, StackOneShot, StackService } from './stack.js';

export const COMPOSE_FILE_VERSION = '2.4';

/**
 * For services that live only in a sandbox zone (they decode untrusted input). glibc keeps freed memory in one
 * arena per thread that ever allocated, and libvips' threads leave it there: two arenas hand it back. A decoder that
 * still runs out of memory is killed by its limit and started again instead of staying down (issue 11, finding 1).
 */
export const SANDBOX_MALLOC_ARENA_MAX = '2';
export const SANDBOX_RESTART_POLICY = 'on-failure';

export function isSandboxed(name: string): boolean {
  if (!airlockTopology.services.some((service) => service.name === name)) return false;
  const zones = zonesJoinedBy(airlockTopology, serviceNamed(airlockTopology, name));
  return zones.every((zone) => zone.kind === 'sandbox');
}

const HEADER = [
  ' GENERATED from @airlock/topology by infra/src/render-compose.ts: do not edit.',
  ' Regenerate with `pnpm generate`; `pnpm check` fails when this file drifts from the topology.',
  ' Up: infra/scripts/stack-up.sh    Down: infra/scripts/stack-down.sh [--volumes]',
].join('\n');

export function renderCompose(stack: Stack): string {
  const compose = {
    version: COMPOSE_FILE_VERSION,
    services: Object.fromEntries<Record<string, unknown>>([
      ...stack.oneShots.map((oneShot): [string, Record<string, unknown>] => [
        oneShot.name,
        composeOneShotOf(oneShot),
      ]),
      ...[...stack.stores, ...stack.services].map((service): [string, Record<string, unknown>] => [
        service.name,
        composeServiceOf(service),
      ]),
    ]),
    networks: Object.fromEntries(
      stack.networks.map((network) => [
        network.name,
        network.internal ? { driver: 'bridge', internal: true } : { driver: 'bridge' },
      ]),
    ),
    volumes: Object.fromEntries(stack.volumes.map((volume) => [volume.name, {}])),
  };
  const document = new Document(compose);
  document.commentBefore = HEADER;
  // Every string quoted: YAML 1.1 parsers (Compose v1 uses PyYAML) read some bare scalars as numbers or booleans.
  return document.toString({ defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
}

/** A store's init: runs once, with no network at all, and exits; the store waits for it to succeed. */
function composeOneShotOf(oneShot: StackOneShot): Record<string, unknown> {
  return {
    image: oneShot.image,
    command: [...oneShot.command],
    user: oneShot.user,
    read_only: oneShot.readOnlyRootFilesystem,
    tmpfs: [`${oneShot.tmpfs.path}:${oneShot.tmpfs.options}`],
    cap_drop: [...oneShot.capDrop],
    security_opt: [...oneShot.securityOpt],
    mem_limit: `${oneShot.memoryMb}m`,
    memswap_limit: `${oneShot.memoryMb}m`,
    pids_limit: oneShot.pidsLimit,
    network_mode: 'none',
    environment: {},
    volumes: oneShot.mounts.map((mount) => ({
      type: 'volume',
      source: mount.volume,
      target: mount.target,
      read_only: mount.readOnly,
    })),
    labels: { 'org.airlock.one-shot': oneShot.name },
  };
}

function composeServiceOf(service: StackService): Record<string, unknown> {
  const sandboxed = isSandboxed(service.name);
  return {
    image: service.image,
    command: [...service.command],
    user: service.user,
    read_only: service.readOnlyRootFilesystem,
    tmpfs: [`${service.tmpfs.path}:${service.tmpfs.options}`],
    cap_drop: [...service.capDrop],
    security_opt: [...service.securityOpt],
    mem_limit: `${service.memoryMb}m`,
    memswap_limit: `${service.memoryMb}m`,
    pids_limit: service.pidsLimit,
    logging: {
      driver: service.logging.driver,
      options: { 'max-size': service.logging.maxSize, 'max-file': service.logging.maxFiles },
    },
    networks: [...service.networks],
    ...(service.publish === undefined
      ? {}
      : {
          ports: [`${service.publish.address}:${service.publish.hostPort}:${service.publish.containerPort}`],
        }),
    environment: {
      ...service.environment,
      // null: compose passes the variable through from the shell that runs it, and leaves it unset otherwise.
      ...Object.fromEntries(service.passThroughEnvironment.map((name) => [name, null])),
      ...(sandboxed ? { MALLOC_ARENA_MAX: SANDBOX_MALLOC_ARENA_MAX } : {}),
    },
    ...(sandboxed ? { restart: SANDBOX_RESTART_POLICY } : {}),
    ...(service.mounts.length === 0
      ? {}
      : {
          volumes: service.mounts.map((mount) => ({
            type: 'volume',
            source: mount.volume,
            target: mount.target,
            read_only: mount.readOnly,
            // A reader never seeds another service's volume with what its own image has at that path.
            ...(mount.readOnly ? { volume: { nocopy: true } } : {}),
          })),
        }),
    ...(service.dependsOnHealthy.length + service.dependsOnCompleted.length === 0
      ? {}
      : {
          depends_on: Object.fromEntries([
            ...service.dependsOnCompleted.map((dependency) => [
              dependency,
              { condition: 'service_completed_successfully' },
            ]),
            ...service.dependsOnHealthy.map((dependency) => [dependency, { condition: 'service_healthy' }]),
          ]),
        }),
    healthcheck: {
      test: ['CMD', ...service.healthcheck.test],
      interval: `${service.healthcheck.intervalSeconds}s`,
      timeout: `${service.healthcheck.timeoutSeconds}s`,
      retries: service.healthcheck.retries,
      start_period: `${service.healthcheck.startPeriodSeconds}s`,
    },
    labels: { 'org.airlock.service': service.name },
  };
}
