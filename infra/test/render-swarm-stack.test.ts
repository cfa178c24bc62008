// The Swarm stack file is the boundary as deployed on a swarm: these tests hold it to the topology, and pin what
// Swarm 20.10 does not apply (measured on this machine, docs/adr/0012-docker-swarm.md).
import { describe, expect, it } from '@jest/globals';
import { airlockTopology, networksOf, storeInstancesOf } from '@airlock/topology';
import { parse } from 'yaml';
import {
  credentialSecretOf,
  replicasOf,
  renderSwarmStack,
  SCALED_OUT_REPLICAS,
  SWARM_NOT_APPLIED,
  SWARM_SECRETS_DIR,
} from '../src/render-swarm-stack.js';
import { stackOf } from '../src/stack.js';

interface SwarmService {
  image: string;
  user: string;
  read_only: boolean;
  cap_drop: string[];
  security_opt?: unknown;
  pids_limit?: unknown;
  networks: string[];
  ports?: { target: number; published: number; mode: string }[];
  environment: Record<string, string>;
  volumes: { type: string; source?: string; target: string; read_only?: boolean; tmpfs?: { size: number } }[];
  secrets?: { source: string; target: string; uid: string; gid: string; mode: number }[];
  depends_on?: unknown;
  deploy: {
    replicas: number;
    endpoint_mode: string;
    placement?: { max_replicas_per_node: number };
    resources: { limits: { memory: string } };
    update_config: { order: string; parallelism: number };
  };
}
interface SwarmFile {
  version: string;
  services: Record<string, SwarmService>;
  networks: Record<string, { driver: string; internal?: boolean; driver_opts?: Record<string, string> }>;
  volumes: Record<string, object>;
  secrets: Record<string, { external: boolean }>;
}

const stack = stackOf(airlockTopology);
const render = (options: Parameters<typeof renderSwarmStack>[2] = {}): { text: string; file: SwarmFile } => {
  const text = renderSwarmStack(airlockTopology, stack, options);
  return { text, file: parse(text) as SwarmFile };
};
const { text, file } = render();
const singleNode = render({ placement: 'single-node' }).file;
const instances = storeInstancesOf(airlockTopology);
const edge = networksOf(airlockTopology).find((network) => !network.internal);
const gateway = edge?.members.find((member) => airlockTopology.services.some((s) => s.name === member));

describe('the generated Swarm stack file', () => {
  it('uses compose file format 3.8 and one overlay per zone, admission and store, all internal but the edge', () => {
    expect(file.version).toBe('3.8');
    expect(Object.keys(file.networks).sort()).toEqual(stack.networks.map((network) => network.name).sort());
    for (const network of stack.networks) {
      expect({ name: network.name, ...file.networks[network.name] }).toEqual({
        name: network.name,
        driver: 'overlay',
        ...(network.internal ? { internal: true } : {}),
      });
    }
  });

  it('encrypts every overlay only when asked to', () => {
    const encrypted = render({ encryptedOverlays: true }).file;
    for (const network of Object.values(encrypted.networks)) {
      expect(network.driver_opts).toEqual({ encrypted: '' });
    }
    for (const network of Object.values(file.networks)) expect(network.driver_opts).toBeUndefined();
  });

  it('puts every service and store on exactly the networks of the derivation', () => {
    const expected = [...stack.stores, ...stack.services];
    expect(Object.keys(file.services).sort()).toEqual(expected.map((service) => service.name).sort());
    for (const service of expected) {
      expect({
        name: service.name,
        networks: [...(file.services[service.name]?.networks ?? [])].sort(),
      }).toEqual({
        name: service.name,
        networks: [...service.networks].sort(),
      });
    }
  });

  it('uses DNS round-robin everywhere (the virtual IP does not answer in this kernel)', () => {
    for (const [name, service] of Object.entries(file.services)) {
      expect({ name, endpoint: service.deploy.endpoint_mode }).toEqual({ name, endpoint: 'dnsrr' });
    }
  });

  it('runs two replicas of every service whose state is in the stores or nowhere, one of the rest', () => {
    for (const service of airlockTopology.services) {
      expect(file.services[service.name]?.deploy.replicas).toBe(replicasOf(airlockTopology, service.name));
    }
    // Every user of a store scales out (its records and limits are shared), and so does a service with no state.
    for (const instance of instances) {
      for (const user of instance.users) expect(replicasOf(airlockTopology, user)).toBe(SCALED_OUT_REPLICAS);
    }
    const stateless = airlockTopology.services.filter((service) => service.container?.persistsData !== true);
    for (const service of stateless)
      expect(replicasOf(airlockTopology, service.name)).toBe(SCALED_OUT_REPLICAS);
    for (const instance of instances) expect(file.services[instance.name]?.deploy.replicas).toBe(1);
  });

  it('replaces a replica by starting the new one first only where there are two', () => {
    for (const [name, service] of Object.entries(singleNode.services)) {
      expect({ name, order: service.deploy.update_config.order }).toEqual({
        name,
        order: service.deploy.replicas > 1 ? 'start-first' : 'stop-first',
      });
      expect(service.deploy.update_config.parallelism).toBe(1);
    }
  });

  it('publishes only the edge, in host mode and one task per node; on one node nothing at all', () => {
    for (const [name, service] of Object.entries(file.services)) {
      if (name === gateway) {
        expect(service.ports).toEqual([{ target: 8080, published: 8080, protocol: 'tcp', mode: 'host' }]);
        expect(service.deploy.placement).toEqual({ max_replicas_per_node: 1 });
      } else {
        expect({ name, ports: service.ports }).toEqual({ name, ports: undefined });
      }
    }
    for (const service of Object.values(singleNode.services)) {
      expect(service.ports).toBeUndefined();
      expect(service.deploy.placement).toBeUndefined();
    }
  });

  it('hands every store credential over as an external secret, 0400 and owned by the service user', () => {
    const expected = instances.flatMap((instance) =>
      instance.users.map((user) => credentialSecretOf(user, instance.store)),
    );
    expect(Object.keys(file.secrets).sort()).toEqual(expected.sort());
    for (const secret of Object.values(file.secrets)) expect(secret).toEqual({ external: true });
    for (const instance of instances) {
      for (const user of instance.users) {
        const service = file.services[user];
        const secret = credentialSecretOf(user, instance.store);
        expect(service?.secrets).toContainEqual({
          source: secret,
          target: secret,
          uid: '65532',
          gid: '65532',
          mode: 0o400,
        });
        expect(Object.values(service?.environment ?? {})).toContain(`${SWARM_SECRETS_DIR}/${secret}`);
        // No credential volume: the secret replaces it.
        expect(service?.volumes.some((volume) => volume.source?.endsWith('-credential') === true)).toBe(
          false,
        );
      }
    }
    expect(Object.keys(file.volumes).some((volume) => volume.endsWith('-credential'))).toBe(false);
  });

  it('writes no secret: no URL with a password, no key material', () => {
    expect(text).not.toMatch(/:\/\/[^/\s'"]+:[^@\s'"]+@/);
    expect(text).not.toMatch(/PRIVATE KEY|"d":|AIRLOCK_DEMO_PASSWORD/);
  });

  it('keeps the hardening Swarm applies: user, read-only root, no capabilities, tmpfs, memory limit', () => {
    for (const service of [...stack.stores, ...stack.services]) {
      const rendered = file.services[service.name];
      expect(rendered?.user).toBe('65532:65532');
      expect(rendered?.read_only).toBe(true);
      expect(rendered?.cap_drop).toEqual(['ALL']);
      expect(rendered?.volumes).toContainEqual({
        type: 'tmpfs',
        target: '/tmp',
        tmpfs: { size: 16 * 1024 * 1024 },
      });
      expect(rendered?.deploy.resources.limits.memory).toBe(`${service.memoryMb}M`);
    }
  });

  it('leaves out, and lists, what Swarm 20.10 does not apply (measured)', () => {
    expect(SWARM_NOT_APPLIED.map((entry) => entry.option)).toEqual([
      'security_opt: no-new-privileges',
      'pids_limit',
      'ports host_ip 127.0.0.1',
      'depends_on',
      'memswap_limit',
    ]);
    for (const service of Object.values(file.services)) {
      expect(service.security_opt).toBeUndefined();
      expect(service.pids_limit).toBeUndefined();
      expect(service.depends_on).toBeUndefined();
    }
  });
});
