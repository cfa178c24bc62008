// Compares what Docker reports for a running container (`docker inspect`) with what the stack says it must be.
// Compose silently ignores options it does not know in some file versions; this is how we know each one took.

import type { StackService } from './stack.js';

/** The parts of `docker inspect <container>` that the stack decides. */
export interface ContainerInspect {
  readonly Config: {
    readonly User: string;
    readonly Image: string;
    readonly Labels?: Readonly<Record<string, string>> | null;
  };
  readonly HostConfig: {
    readonly ReadonlyRootfs: boolean;
    readonly CapDrop: readonly string[] | null;
    readonly CapAdd: readonly string[] | null;
    readonly SecurityOpt: readonly string[] | null;
    readonly Memory: number;
    readonly MemorySwap: number;
    readonly PidsLimit: number | null;
    readonly Privileged: boolean;
    readonly Tmpfs?: Readonly<Record<string, string>> | null;
    readonly PortBindings?: Readonly<
      Record<string, readonly { HostIp: string; HostPort: string }[] | null>
    > | null;
    readonly LogConfig: { readonly Type: string; readonly Config: Readonly<Record<string, string>> };
  };
  readonly Mounts: readonly {
    readonly Type: string;
    readonly Name?: string;
    readonly Destination: string;
    readonly RW: boolean;
  }[];
  readonly NetworkSettings: { readonly Networks: Readonly<Record<string, unknown>> };
}

export interface NamingOf {
  /** The Docker name of a zone's network, e.g. `airlock_core` under compose. */
  readonly network: (zone: string) => string;
  /** The Docker name of a stack volume, e.g. `airlock_orders-data` under compose. */
  readonly volume: (volume: string) => string;
}

const MIB = 1024 * 1024;

/** Every way the container differs from its spec, as sentences; empty when it is as specified. */
export function hardeningProblems(spec: StackService, inspect: ContainerInspect, naming: NamingOf): string[] {
  const problems: string[] = [];
  const host = inspect.HostConfig;
  const expect = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(`${spec.name}: ${problem}`);
  };

  expect(inspect.Config.User === spec.user, `runs as "${inspect.Config.User}", not ${spec.user}`);
  expect(host.ReadonlyRootfs, 'root filesystem is writable');
  expect(!host.Privileged, 'is privileged');
  expect(
    sameSet(host.CapDrop ?? [], spec.capDrop),
    `drops capabilities [${(host.CapDrop ?? []).join(', ')}]`,
  );
  expect((host.CapAdd ?? []).length === 0, `adds capabilities [${(host.CapAdd ?? []).join(', ')}]`);
  expect(
    spec.securityOpt.every((option) => (host.SecurityOpt ?? []).includes(option)),
    `security options are [${(host.SecurityOpt ?? []).join(', ')}]`,
  );
  expect(
    host.Memory === spec.memoryMb * MIB,
    `memory limit is ${host.Memory / MIB} MiB, not ${spec.memoryMb}`,
  );
  expect(host.MemorySwap === spec.memoryMb * MIB, `memory+swap limit is ${host.MemorySwap / MIB} MiB`);
  expect(host.PidsLimit === spec.pidsLimit, `pids limit is ${String(host.PidsLimit)}, not ${spec.pidsLimit}`);
  expect(
    host.Tmpfs?.[spec.tmpfs.path] === spec.tmpfs.options,
    `tmpfs ${spec.tmpfs.path} is "${host.Tmpfs?.[spec.tmpfs.path] ?? 'missing'}"`,
  );
  expect(
    host.LogConfig.Type === spec.logging.driver &&
      host.LogConfig.Config['max-size'] === spec.logging.maxSize &&
      host.LogConfig.Config['max-file'] === spec.logging.maxFiles,
    `logs to ${host.LogConfig.Type} ${JSON.stringify(host.LogConfig.Config)}`,
  );

  const networks = Object.keys(inspect.NetworkSettings.Networks).sort();
  const expectedNetworks = spec.networks.map((zone) => naming.network(zone)).sort();
  expect(
    sameSet(networks, expectedNetworks),
    `is on networks [${networks.join(', ')}], not [${expectedNetworks.join(', ')}]`,
  );

  const bindings = Object.entries(host.PortBindings ?? {}).flatMap(([port, hostBindings]) =>
    (hostBindings ?? []).map((binding) => `${binding.HostIp}:${binding.HostPort}->${port}`),
  );
  const expectedBindings =
    spec.publish === undefined
      ? []
      : [`${spec.publish.address}:${spec.publish.hostPort}->${spec.publish.containerPort}/tcp`];
  expect(
    sameSet(bindings, expectedBindings),
    `publishes [${bindings.join(', ')}], not [${expectedBindings.join(', ')}]`,
  );

  const mounts = inspect.Mounts.filter((mount) => mount.Type !== 'tmpfs')
    .map((mount) => `${mount.Type}:${mount.Name ?? '?'}:${mount.Destination}:${mount.RW ? 'rw' : 'ro'}`)
    .sort();
  const expectedMounts = spec.mounts
    .map((mount) => `volume:${naming.volume(mount.volume)}:${mount.target}:${mount.readOnly ? 'ro' : 'rw'}`)
    .sort();
  expect(
    sameSet(mounts, expectedMounts),
    `mounts [${mounts.join(', ')}], not [${expectedMounts.join(', ')}]`,
  );
  return problems;
}

function sameSet(actual: readonly string[], expected: readonly string[]): boolean {
  return (
    actual.length === expected.length &&
    [...actual].sort().every((value, i) => value === [...expected].sort()[i])
  );
}
