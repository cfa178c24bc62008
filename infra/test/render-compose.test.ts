// The compose file is the boundary as deployed: these tests hold it to the topology it is generated from.
import { describe, expect, it } from '@jest/globals';
import {
  airlockTopology,
  jwksProviderOf,
  networksOf,
  reachabilityOf,
  storeInstancesOf,
  storeReachabilityOf,
} from '@airlock/topology';
import { parse } from 'yaml';
import { renderCompose } from '../src/render-compose.js';
import { DATA_ROOT, stackOf, WORKLOAD_KEYS_ROOT } from '../src/stack.js';

interface ComposeVolumeMount {
  type: string;
  source: string;
  target: string;
  read_only: boolean;
  volume?: { nocopy: boolean };
}
interface ComposeService {
  image: string;
  user: string;
  read_only: boolean;
  tmpfs: string[];
  cap_drop: string[];
  security_opt: string[];
  mem_limit: string;
  memswap_limit: string;
  pids_limit: number;
  networks: string[];
  ports?: string[];
  environment: Record<string, string | null>;
  volumes?: ComposeVolumeMount[];
  network_mode?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck: { test: string[] };
  logging: { driver: string; options: Record<string, string> };
}
interface ComposeFile {
  version: string;
  services: Record<string, ComposeService>;
  networks: Record<string, { driver: string; internal?: boolean }>;
  volumes: Record<string, object>;
}

const text = renderCompose(stackOf(airlockTopology));
const compose = parse(text) as ComposeFile;
const isService = (name: string): boolean =>
  airlockTopology.services.some((service) => service.name === name);
/** The topology's services; the stores and their inits have tests of their own below. */
const services = Object.entries(compose.services).filter(([name]) => isService(name));
const zoneNetworks = networksOf(airlockTopology);
const instances = storeInstancesOf(airlockTopology);
const storeNames = instances.map((instance) => instance.name);
const dataNetworksOf = (name: string): string[] =>
  instances.filter((instance) => instance.users.includes(name)).map((instance) => instance.network);

describe('the generated compose file', () => {
  it('has one network per zone and per admission, every one but the edge internal', () => {
    expect(Object.keys(compose.networks).sort()).toEqual(
      [...zoneNetworks.map((network) => network.name), ...instances.map((i) => i.network)].sort(),
    );
    for (const network of zoneNetworks) {
      expect(compose.networks[network.name]).toEqual(
        network.name === 'edge' ? { driver: 'bridge' } : { driver: 'bridge', internal: true },
      );
    }
  });

  it('puts each service on exactly the networks networksOf gives it', () => {
    expect(services.map(([name]) => name).sort()).toEqual(airlockTopology.services.map((s) => s.name).sort());
    for (const [name, service] of services) {
      const expected = [
        ...zoneNetworks.filter((network) => network.members.includes(name)).map((n) => n.name),
        ...dataNetworksOf(name),
      ];
      expect({ name, networks: [...service.networks].sort() }).toEqual({ name, networks: expected.sort() });
    }
  });

  it('lets services share networks exactly as reachabilityOf says', () => {
    for (const [name, service] of services) {
      const peers = services
        .filter(
          ([other, candidate]) =>
            other !== name && candidate.networks.some((n) => service.networks.includes(n)),
        )
        .map(([other]) => other)
        .sort();
      expect({ name, peers }).toEqual({
        name,
        peers: [...(reachabilityOf(airlockTopology).get(name) ?? [])].sort(),
      });
    }
  });

  it('publishes one port, the gateway’s, on 127.0.0.1 only', () => {
    const published = services.filter(([, service]) => service.ports !== undefined);
    expect(published.map(([name, service]) => [name, service.ports])).toEqual([
      ['gateway', ['127.0.0.1:8080:8080']],
    ]);
  });

  it('hardens every service the same way', () => {
    for (const [name, service] of services) {
      expect({ name, user: service.user, readOnly: service.read_only }).toEqual({
        name,
        user: '65532:65532',
        readOnly: true,
      });
      expect(service.cap_drop).toEqual(['ALL']);
      expect(service.security_opt).toEqual(['no-new-privileges:true']);
      expect(service.tmpfs).toEqual(['/tmp:size=16m,mode=1777,noexec,nosuid,nodev']);
      expect(service.mem_limit).toMatch(/^[0-9]+m$/);
      expect(service.memswap_limit).toBe(service.mem_limit);
      expect(service.pids_limit).toBeGreaterThan(0);
      expect(service.pids_limit).toBeLessThanOrEqual(256);
      expect(service.logging).toEqual({
        driver: 'json-file',
        options: { 'max-size': '10m', 'max-file': '3' },
      });
      expect(service.image).toBe(`airlock/${name}:dev`);
    }
  });

  it('checks health with the container’s own Node, no shell, against the service’s own port', () => {
    for (const [name, service] of services) {
      const port = airlockTopology.services.find((s) => s.name === name)?.port;
      expect(service.healthcheck.test.slice(0, 3)).toEqual(['CMD', '/nodejs/bin/node', '-e']);
      expect(service.healthcheck.test[3]).toContain(`http://127.0.0.1:${String(port)}/readyz`);
    }
  });

  it('makes every service wait until auth (when it calls it) and whoever serves its signing keys are healthy', () => {
    for (const [name, service] of services) {
      const callsAuth =
        name !== 'auth' && airlockTopology.calls.some((call) => call.from === name && call.to === 'auth');
      const keys = jwksProviderOf(airlockTopology, name)?.name;
      const waits = new Set([...(callsAuth ? ['auth'] : []), ...(keys === undefined ? [] : [keys])]);
      const dependsOn = Object.entries(service.depends_on ?? {}).filter(([dep]) => !storeNames.includes(dep));
      expect({ name, dependsOn: dependsOn.length === 0 ? undefined : Object.fromEntries(dependsOn) }).toEqual(
        {
          name,
          dependsOn:
            waits.size === 0
              ? undefined
              : Object.fromEntries([...waits].map((wait) => [wait, { condition: 'service_healthy' }])),
        },
      );
    }
  });

  it('starts the sandbox after the gateway it fetches its signing keys through', () => {
    expect(compose.services['image-processor']?.depends_on).toEqual({
      gateway: { condition: 'service_healthy' },
    });
  });

  it('gives no service a volume it does not own, except auth reading the callers’ public keys', () => {
    for (const [name, service] of services) {
      for (const mount of service.volumes ?? []) {
        expect(mount.type).toBe('volume');
        // A store credential: read-only in its one user (the next test).
        if (mount.source.endsWith('-credential')) continue;
        if (mount.read_only) {
          expect({ name, source: mount.source }).toEqual({
            name: 'auth',
            source: expect.stringMatching(/-workload-key$/),
          });
          expect(mount.volume).toEqual({ nocopy: true });
        } else {
          expect(mount.source.startsWith(`${name}-`)).toBe(true);
        }
      }
    }
    expect(
      compose.services.auth?.volumes
        ?.filter((mount) => mount.read_only && !mount.source.endsWith('-credential'))
        .map((mount) => mount.source),
    ).toEqual(['gateway-workload-key', 'orders-workload-key', 'web-workload-key']);
  });

  it('gives each store user its own credential per store, read-only, and the file path in its environment', () => {
    for (const [name, service] of services) {
      const credentials = (service.volumes ?? []).filter((mount) => mount.source.endsWith('-credential'));
      const stores = instances.filter((instance) => instance.users.includes(name));
      expect(credentials.map((mount) => [mount.source, mount.target, mount.read_only])).toEqual(
        stores.map((instance) => [
          `${name}-${instance.store}-credential`,
          `/credentials/${instance.store}`,
          true,
        ]),
      );
      const fileVariables = Object.keys(service.environment).filter((key) => key.endsWith('_URL_FILE'));
      expect(fileVariables.length).toBe(stores.length);
    }
    // Each credential volume is read by one service and written by one init, nothing else.
    for (const volume of Object.keys(compose.volumes).filter((v) => v.endsWith('-credential'))) {
      const mounters = Object.entries(compose.services).filter(([, service]) =>
        (service.volumes ?? []).some((mount) => mount.source === volume),
      );
      expect(mounters.map(([name]) => name).filter(isService)).toHaveLength(1);
      expect(mounters).toHaveLength(2);
    }
  });

  it('runs each store on its data network alone, hardened like the services, unpublished, after its init', () => {
    for (const instance of instances) {
      const store = compose.services[instance.name];
      const init = compose.services[`${instance.name}-init`];
      expect(store?.networks).toEqual([instance.network]);
      expect(store?.ports).toBeUndefined();
      expect(store?.user).toBe('65532:65532');
      expect(store?.read_only).toBe(true);
      expect(store?.cap_drop).toEqual(['ALL']);
      expect(store?.security_opt).toEqual(['no-new-privileges:true']);
      expect(store?.memswap_limit).toBe(store?.mem_limit);
      expect(store?.healthcheck.test[0]).toBe('CMD');
      expect(store?.depends_on).toEqual({
        [`${instance.name}-init`]: { condition: 'service_completed_successfully' },
      });
      expect(compose.networks[instance.network]).toEqual({ driver: 'bridge', internal: true });
      // The init has no network at all and the same hardening.
      expect(init?.network_mode).toBe('none');
      expect(init?.networks).toBeUndefined();
      expect([init?.user, init?.read_only, init?.cap_drop]).toEqual(['65532:65532', true, ['ALL']]);
    }
    // Only the users of a store share its network: the reachability proof asserts the same on running containers.
    for (const [name, service] of services) {
      const stores = storeNames.filter((store) =>
        compose.services[store]?.networks.some((n) => service.networks.includes(n)),
      );
      expect({ name, stores: stores.sort() }).toEqual({
        name,
        stores: [...(storeReachabilityOf(airlockTopology).get(name) ?? [])].sort(),
      });
    }
  });

  it('never mounts a data volume (where private keys live) into a second service', () => {
    const dataMounts = services.flatMap(([name, service]) =>
      (service.volumes ?? [])
        .filter((m) => m.target.startsWith(`${DATA_ROOT}/`))
        .map((m) => [name, m.source]),
    );
    expect(dataMounts).toEqual(dataMounts.map(([name]) => [name, `${name ?? ''}-data`]));
    expect(new Set(dataMounts.map(([, source]) => source)).size).toBe(dataMounts.length);
  });

  it('gives the sandbox no volume at all and no credential in its environment', () => {
    const sandbox = compose.services['image-processor'];
    expect(sandbox?.volumes).toBeUndefined();
    expect(Object.keys(sandbox?.environment ?? {}).sort()).toEqual([
      'AIRLOCK_AUTH_ISSUER',
      'AIRLOCK_GATEWAY_URL',
      'AIRLOCK_IMAGE_PROCESSOR_HOST',
      'AIRLOCK_IMAGE_PROCESSOR_PORT',
      'AIRLOCK_JWKS_URL',
      'MALLOC_ARENA_MAX',
    ]);
    expect(sandbox?.environment.AIRLOCK_JWKS_URL).toBe('http://gateway:8080/auth/jwks');
  });

  it('tells each service the addresses of the services it calls and nothing else', () => {
    const urls = Object.fromEntries(
      services.map(([name, service]) => [
        name,
        Object.keys(service.environment)
          .filter((key) => /^AIRLOCK_[A-Z_]+_URL$/.test(key) && key !== 'AIRLOCK_JWKS_URL')
          .sort(),
      ]),
    );
    expect(urls).toEqual({
      auth: [],
      gateway: ['AIRLOCK_AUTH_URL', 'AIRLOCK_IMAGE_PROCESSOR_URL', 'AIRLOCK_ORDERS_URL', 'AIRLOCK_WEB_URL'],
      orders: ['AIRLOCK_AUTH_URL', 'AIRLOCK_PAYMENTS_URL'],
      payments: ['AIRLOCK_AUTH_URL'],
      'image-processor': ['AIRLOCK_GATEWAY_URL'],
      // The shop's backend-for-frontend reaches the gateway alone: the API and auth's endpoints, through the edge.
      web: ['AIRLOCK_GATEWAY_URL'],
    });
    expect(compose.services.orders?.environment.AIRLOCK_JWKS_URL).toBe('http://auth:8081/auth/jwks');
    expect(compose.services.payments?.environment.AIRLOCK_JWKS_URL).toBe('http://auth:8081/auth/jwks');
  });

  it('keeps every service on the public issuer and its own port on all interfaces', () => {
    for (const [name, service] of services) {
      const prefix = `AIRLOCK_${name.toUpperCase().replaceAll('-', '_')}`;
      expect(service.environment.AIRLOCK_AUTH_ISSUER).toBe('http://127.0.0.1:8080/auth');
      expect(service.environment[`${prefix}_HOST`]).toBe('0.0.0.0');
      expect(service.environment[`${prefix}_PORT`]).toMatch(/^[0-9]+$/);
    }
  });

  it('publishes workload keys where auth reads them', () => {
    for (const name of ['gateway', 'orders']) {
      expect(compose.services[name]?.environment.AIRLOCK_WORKLOAD_KEYS_DIR).toBe(WORKLOAD_KEYS_ROOT);
    }
    expect(compose.services.auth?.environment.AIRLOCK_WORKLOAD_KEYS_DIR).toBe(WORKLOAD_KEYS_ROOT);
  });

  it('holds no secret: the demo password is passed through from the shell, and nothing uses compose interpolation', () => {
    expect(compose.services.auth?.environment).toHaveProperty('AIRLOCK_DEMO_PASSWORD', null);
    expect(text).not.toMatch(/\$/);
    const secretLooking = services.flatMap(([, service]) =>
      Object.entries(service.environment).filter(([key]) => /PASSWORD|SECRET|TOKEN|PRIVATE/.test(key)),
    );
    expect(secretLooking).toEqual([['AIRLOCK_DEMO_PASSWORD', null]]);
  });

  it('is a file Compose v1 accepts: format 2.4, no top-level name, strings quoted for YAML 1.1', () => {
    expect(compose.version).toBe('2.4');
    expect(Object.keys(compose).sort()).toEqual(['networks', 'services', 'version', 'volumes']);
    expect(text).toMatch(/^# GENERATED/);
    expect(text).toContain('user: "65532:65532"');
  });
});
