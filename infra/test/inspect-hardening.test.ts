// verify-stack and the hardening proof rest on this comparison: it must see every way a container can differ.
import { describe, expect, it } from '@jest/globals';
import { airlockTopology } from '@airlock/topology';
import { hardeningProblems, type ContainerInspect } from '../src/inspect-hardening.js';
import { stackOf, type StackService } from '../src/stack.js';

const MIB = 1024 * 1024;
const naming = {
  network: (zone: string) => `airlock_${zone}`,
  volume: (volume: string) => `airlock_${volume}`,
};

function gatewaySpec(): StackService {
  const spec = stackOf(airlockTopology).services.find((service) => service.name === 'gateway');
  if (spec === undefined) throw new Error('no gateway');
  return spec;
}

/** What Docker reports for a container started exactly as the spec says. */
function asDeployed(spec: StackService): ContainerInspect {
  return {
    Config: { User: spec.user, Image: spec.image, Labels: {} },
    HostConfig: {
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      CapAdd: null,
      SecurityOpt: ['no-new-privileges:true'],
      Memory: spec.memoryMb * MIB,
      MemorySwap: spec.memoryMb * MIB,
      PidsLimit: spec.pidsLimit,
      Privileged: false,
      Tmpfs: { [spec.tmpfs.path]: spec.tmpfs.options },
      PortBindings: spec.publish
        ? {
            [`${spec.publish.containerPort}/tcp`]: [
              { HostIp: spec.publish.address, HostPort: String(spec.publish.hostPort) },
            ],
          }
        : null,
      LogConfig: {
        Type: 'json-file',
        Config: { 'max-size': spec.logging.maxSize, 'max-file': spec.logging.maxFiles },
      },
    },
    Mounts: spec.mounts.map((mount) => ({
      Type: 'volume',
      Name: naming.volume(mount.volume),
      Destination: mount.target,
      RW: !mount.readOnly,
    })),
    NetworkSettings: {
      Networks: Object.fromEntries(spec.networks.map((zone) => [naming.network(zone), {}])),
    },
  };
}

describe('hardeningProblems', () => {
  it('finds nothing wrong with a container deployed as specified', () => {
    expect(hardeningProblems(gatewaySpec(), asDeployed(gatewaySpec()), naming)).toEqual([]);
  });

  it('names every deviation an operator or a compose version could introduce', () => {
    const spec = gatewaySpec();
    const deployed = asDeployed(spec);
    const tampered: ContainerInspect = {
      ...deployed,
      Config: { ...deployed.Config, User: '0:0' },
      HostConfig: {
        ...deployed.HostConfig,
        ReadonlyRootfs: false,
        CapDrop: [],
        CapAdd: ['NET_RAW'],
        SecurityOpt: [],
        Memory: 0,
        PidsLimit: null,
        Privileged: true,
        Tmpfs: null,
        PortBindings: { '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] },
      },
      Mounts: [
        ...deployed.Mounts,
        { Type: 'volume', Name: 'airlock_orders-data', Destination: '/data/orders', RW: true },
      ],
      NetworkSettings: { Networks: { ...deployed.NetworkSettings.Networks, airlock_payments: {} } },
    };
    const problems = hardeningProblems(spec, tampered, naming).join('\n');
    for (const expected of [
      'runs as "0:0"',
      'root filesystem is writable',
      'is privileged',
      'drops capabilities []',
      'adds capabilities [NET_RAW]',
      'security options are []',
      'memory limit is 0 MiB',
      'pids limit is null',
      'tmpfs /tmp is "missing"',
      'publishes [0.0.0.0:8080->8080/tcp]',
      'airlock_orders-data:/data/orders',
      'airlock_payments',
    ]) {
      expect(problems).toContain(expected);
    }
  });
});
