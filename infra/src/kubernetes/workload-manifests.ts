// One service as Kubernetes objects: its ServiceAccount (no API token), its data claim when it keeps local state,
// its Deployment (the compose file's hardening restated as a restricted Pod Security context, probes, limits,
// mounts), its ClusterIP Service and its PodDisruptionBudget. Everything comes from the stack that compose renders.
import type { Topology } from '@airlock/topology';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from '@airlock/workload-identity';
import { isSandboxed, SANDBOX_MALLOC_ARENA_MAX } from '../render-compose.js';
import { DATA_ROOT, healthcheckCommand, NODE_BINARY, type Stack, type StackService } from '../stack.js';
import {
  DATA_CLAIM_SIZE,
  dataClaimOf,
  keepsLocalState,
  NAMESPACE,
  podLabelsOf,
  PORT_NAME,
  privateKeySecretOf,
  publicKeyConfigMapOf,
  replicasOf,
  WORKLOAD_KEY_SECRET_MOUNT,
  workloadKeyHoldersOf,
} from './cluster-layout.js';

export type WorkloadObject =
  ServiceAccount | PersistentVolumeClaim | Deployment | Service | PodDisruptionBudget;

/** Compose leaves CPU unbounded; a cluster schedules by requests, and one service may not take a whole node. */
export const CPU_REQUEST = '100m';
export const CPU_LIMIT = '1';
export const LIVENESS_PERIOD_SECONDS = 10;
export const LIVENESS_FAILURES = 3;
const TMP_VOLUME = 'tmp';
const INIT_CONTAINER = 'install-workload-key';

export function workloadObjectsOf(topology: Topology, stack: Stack, service: StackService): WorkloadObject[] {
  const name = service.name;
  const labels = podLabelsOf(name);
  const metadata = { name, namespace: NAMESPACE, labels };
  const claim = keepsLocalState(topology, name)
    ? [
        new PersistentVolumeClaim({
          metadata: { name: dataClaimOf(name), namespace: NAMESPACE, labels },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: DATA_CLAIM_SIZE } } },
        }),
      ]
    : [];
  const replicas = replicasOf(topology, name);
  return [
    new ServiceAccount({ metadata, automountServiceAccountToken: false }),
    ...claim,
    new Deployment({
      metadata,
      spec: {
        replicas,
        selector: { matchLabels: labels },
        // One writer of a ReadWriteOnce claim and of a SQLite file at a time: the old pod goes before the new one.
        strategy:
          claim.length > 0
            ? { type: 'Recreate' }
            : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContextOf(service),
            ...(workloadKeyHoldersOf(stack).includes(name)
              ? { initContainers: [installWorkloadKeyContainerOf(service)] }
              : {}),
            containers: [serviceContainerOf(service)],
            volumes: volumesOf(topology, stack, service),
          },
        },
      },
    }),
    new Service({
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: labels,
        ports: [{ name: PORT_NAME, port: service.port, targetPort: PORT_NAME, protocol: 'TCP' }],
      },
    }),
    // One pod may go at a time: with two replicas one keeps serving; with one (local state) a drain is not
    // blocked forever, it is the downtime #12 removes.
    new PodDisruptionBudget({ metadata, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } }),
  ];
}

/** `65532:65532` -> uid and gid. */
function userOf(service: StackService): { uid: number; gid: number } {
  const [uid, gid] = service.user.split(':').map(Number);
  if (
    uid === undefined ||
    gid === undefined ||
    !Number.isInteger(uid) ||
    !Number.isInteger(gid) ||
    uid === 0
  ) {
    throw new Error(`${service.name}: container user ${service.user} is not a non-root uid:gid`);
  }
  return { uid, gid };
}

function podSecurityContextOf(service: StackService): IPodSecurityContext {
  const { uid, gid } = userOf(service);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    // Makes the data claim writable by the image's user; only this group, which no other workload runs as.
    fsGroup: gid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function containerSecurityContextOf(service: StackService): ISecurityContext {
  const { uid, gid } = userOf(service);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    readOnlyRootFilesystem: service.readOnlyRootFilesystem,
    allowPrivilegeEscalation: false,
    capabilities: { drop: [...service.capDrop] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Memory request equals the limit, like compose's mem_limit = memswap_limit: what it may use is reserved. */
function resourcesOf(service: StackService): IContainer['resources'] {
  const memory = `${service.memoryMb}Mi`;
  return { requests: { cpu: CPU_REQUEST, memory }, limits: { cpu: CPU_LIMIT, memory } };
}

/**
 * Exec probes like compose's healthcheck, because the gateway answers /healthz and /readyz from loopback only.
 * Readiness has compose's timing; liveness starts after compose's start period and checks less often, since each
 * probe starts a Node process: a hung service is restarted after {@link LIVENESS_FAILURES} misses.
 */
function probeOf(service: StackService, path: '/healthz' | '/readyz'): IProbe {
  const timing = service.healthcheck;
  const command = healthcheckCommand(service.port, path);
  return path === '/readyz'
    ? {
        exec: { command },
        periodSeconds: timing.intervalSeconds,
        timeoutSeconds: timing.timeoutSeconds,
        failureThreshold: timing.retries,
      }
    : {
        exec: { command },
        initialDelaySeconds: timing.startPeriodSeconds,
        periodSeconds: LIVENESS_PERIOD_SECONDS,
        timeoutSeconds: timing.timeoutSeconds,
        failureThreshold: LIVENESS_FAILURES,
      };
}

function serviceContainerOf(service: StackService): IContainer {
  return {
    name: service.name,
    image: service.image,
    imagePullPolicy: 'IfNotPresent',
    args: [...service.command],
    ports: [{ name: PORT_NAME, containerPort: service.port, protocol: 'TCP' }],
    env: Object.entries({
      ...service.environment,
      ...(isSandboxed(service.name) ? { MALLOC_ARENA_MAX: SANDBOX_MALLOC_ARENA_MAX } : {}),
    }).map(([name, value]) => ({ name, value })),
    securityContext: containerSecurityContextOf(service),
    resources: resourcesOf(service),
    livenessProbe: probeOf(service, '/healthz'),
    readinessProbe: probeOf(service, '/readyz'),
    volumeMounts: [
      { name: TMP_VOLUME, mountPath: service.tmpfs.path },
      ...service.mounts.map((mount) => ({
        name: mount.volume,
        mountPath: mount.target,
        readOnly: mount.readOnly,
      })),
    ],
  };
}

/**
 * Secret volumes with an fsGroup are group-readable (0440), which the workload key's mode check refuses, and
 * rightly: it cannot tell that group from any other. So this init container, the service's own image and user,
 * copies the key into the service's data volume with mode 0600 before the service starts
 * (docs/adr/0006-kubernetes-workload-keys-and-replicas.md).
 */
function installWorkloadKeyContainerOf(service: StackService): IContainer {
  const dataMount = service.mounts.find((mount) => mount.target === `${DATA_ROOT}/${service.name}`);
  if (dataMount === undefined) throw new Error(`${service.name} holds a workload key but has no data volume`);
  const source = `${WORKLOAD_KEY_SECRET_MOUNT}/${PRIVATE_KEY_FILE}`;
  const target = `${dataMount.target}/${PRIVATE_KEY_FILE}`;
  return {
    name: INIT_CONTAINER,
    image: service.image,
    imagePullPolicy: 'IfNotPresent',
    command: [NODE_BINARY],
    args: ['-e', installKeyScript(source, target)],
    securityContext: containerSecurityContextOf(service),
    resources: resourcesOf(service),
    volumeMounts: [
      { name: privateKeySecretOf(service.name), mountPath: WORKLOAD_KEY_SECRET_MOUNT, readOnly: true },
      { name: dataMount.volume, mountPath: dataMount.target },
    ],
  };
}

/**
 * The init container's program (CommonJS, for `node -e`): a fresh 0600 copy of `source` at `target`, renamed into
 * place so the service never reads half a key. It replaces the copy at every start: the Secret is the source.
 */
export function installKeyScript(source: string, target: string): string {
  return [
    "const fs = require('node:fs');",
    `const key = fs.readFileSync(${JSON.stringify(source)});`,
    `const temporary = ${JSON.stringify(`${target}.tmp`)};`,
    'fs.rmSync(temporary, { force: true });',
    "fs.writeFileSync(temporary, key, { mode: 0o600, flag: 'wx' });",
    `fs.renameSync(temporary, ${JSON.stringify(target)});`,
  ].join(' ');
}

function volumesOf(topology: Topology, stack: Stack, service: StackService): IVolume[] {
  const volumes: IVolume[] = [
    { name: TMP_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: tmpfsSizeOf(service) } },
  ];
  for (const mount of service.mounts) {
    const volume = stack.volumes.find((candidate) => candidate.name === mount.volume);
    if (volume === undefined) throw new Error(`${service.name} mounts an unknown volume ${mount.volume}`);
    if (volume.purpose === 'data') {
      volumes.push(
        keepsLocalState(topology, service.name)
          ? { name: mount.volume, persistentVolumeClaim: { claimName: dataClaimOf(service.name) } }
          : // Holds only the key the init container copies from the Secret at every start.
            { name: mount.volume, emptyDir: {} },
      );
    } else if (volume.owner === service.name) {
      // The service publishes its public key here as it does in compose; its callees read the ConfigMap instead.
      volumes.push({ name: mount.volume, emptyDir: {} });
    } else {
      volumes.push({
        name: mount.volume,
        configMap: {
          name: publicKeyConfigMapOf(volume.owner),
          items: [{ key: PUBLIC_KEY_FILE, path: PUBLIC_KEY_FILE }],
          // Nobody may rewrite a key that auth trusts (the public key's mode check refuses group/other write).
          defaultMode: 0o444,
        },
      });
    }
  }
  if (workloadKeyHoldersOf(stack).includes(service.name)) {
    volumes.push({
      name: privateKeySecretOf(service.name),
      secret: { secretName: privateKeySecretOf(service.name), defaultMode: 0o400 },
    });
  }
  return volumes;
}

/** `size=16m,mode=...` -> `16Mi`: the same bound on scratch space as compose's tmpfs. */
function tmpfsSizeOf(service: StackService): string {
  const size = /(?:^|,)size=(\d+)m(?:,|$)/.exec(service.tmpfs.options)?.[1];
  if (size === undefined) throw new Error(`${service.name}: tmpfs options carry no size in MB`);
  return `${size}Mi`;
}
