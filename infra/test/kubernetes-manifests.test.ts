// The generated Deployments against the restricted Pod Security Standard (checked field by field, as the
// standard defines it, https://kubernetes.io/docs/concepts/security/pod-security-standards/), the compose
// file's hardening and limits, the schemas, and the overlay's keys.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { airlockTopology } from '@airlock/topology';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { parse } from 'yaml';
import {
  keepsLocalState,
  privateKeySecretOf,
  publicKeyConfigMapOf,
  STATELESS_REPLICAS,
  workloadKeyHoldersOf,
} from '../src/kubernetes/cluster-layout.js';
import { kubernetesFilesOf, LOCAL_OVERLAY_DIR } from '../src/kubernetes/kubernetes-files.js';
import { manifestProblemsOf } from '../src/kubernetes/validate-manifests.js';
import { stackOf, WORKLOAD_KEYS_ROOT } from '../src/stack.js';
import { baseObjects, deployments, objectsOfKind } from './kubernetes-support.js';

const stack = stackOf(airlockTopology, { embeddedState: true });
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const BASELINE_SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
]);

/** Every violation of the baseline and restricted levels (latest) in one pod spec. */
function podSecurityViolationsOf(pod: IPodSpec): string[] {
  const violations: string[] = [];
  const containers: IContainer[] = [...(pod.initContainers ?? []), ...pod.containers];
  const podContext = pod.securityContext ?? {};
  // Baseline.
  if (pod.hostNetwork === true || pod.hostPID === true || pod.hostIPC === true)
    violations.push('host namespaces');
  for (const sysctl of podContext.sysctls ?? []) {
    if (!BASELINE_SAFE_SYSCTLS.has(sysctl.name)) violations.push(`unsafe sysctl ${sysctl.name}`);
  }
  if (podContext.seLinuxOptions?.user !== undefined || podContext.seLinuxOptions?.role !== undefined) {
    violations.push('SELinux user/role');
  }
  if (podContext.appArmorProfile?.type === 'Unconfined') violations.push('AppArmor unconfined');
  // Restricted: volume types.
  for (const volume of pod.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== 'name');
    for (const type of types) {
      if (!RESTRICTED_VOLUME_TYPES.has(type)) violations.push(`volume ${volume.name}: type ${type}`);
    }
  }
  for (const container of containers) {
    const context = container.securityContext ?? {};
    const where = `container ${container.name}`;
    // Baseline.
    if (context.privileged === true) violations.push(`${where}: privileged`);
    if ((context.capabilities?.add ?? []).some((capability) => capability !== 'NET_BIND_SERVICE')) {
      violations.push(`${where}: adds capabilities`);
    }
    if ((container.ports ?? []).some((port) => port.hostPort !== undefined && port.hostPort !== 0)) {
      violations.push(`${where}: host port`);
    }
    if (context.procMount !== undefined && context.procMount !== 'Default')
      violations.push(`${where}: procMount`);
    if (context.appArmorProfile?.type === 'Unconfined') violations.push(`${where}: AppArmor unconfined`);
    // Restricted.
    if (context.allowPrivilegeEscalation !== false) violations.push(`${where}: privilege escalation not off`);
    if (!(context.capabilities?.drop ?? []).includes('ALL')) violations.push(`${where}: does not drop ALL`);
    const runAsNonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
    if (runAsNonRoot !== true) violations.push(`${where}: runAsNonRoot not true`);
    if ((context.runAsUser ?? podContext.runAsUser) === 0) violations.push(`${where}: runs as uid 0`);
    const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      violations.push(`${where}: seccomp ${seccomp}`);
  }
  if (podContext.runAsUser === 0) violations.push('pod runs as uid 0');
  return violations;
}

function podOf(name: string): IPodSpec {
  const deployment = deployments.find((candidate) => candidate.metadata?.name === name);
  const pod = deployment?.spec?.template.spec;
  if (pod === undefined) throw new Error(`no Deployment ${name}`);
  return pod;
}

describe('the generated Deployments', () => {
  it('are one per topology service', () => {
    expect(deployments.map((deployment) => deployment.metadata?.name).sort()).toEqual(
      airlockTopology.services.map((service) => service.name).sort(),
    );
  });

  it('meet the restricted Pod Security Standard, init containers included', () => {
    for (const deployment of deployments) {
      const pod = deployment.spec?.template.spec;
      if (pod === undefined) throw new Error('a Deployment without a pod');
      expect({ name: deployment.metadata?.name, violations: podSecurityViolationsOf(pod) }).toEqual({
        name: deployment.metadata?.name,
        violations: [],
      });
    }
  });

  it('would be caught by that check if a field regressed', () => {
    const pod = structuredClone(podOf('gateway'));
    const [container] = pod.containers;
    if (container?.securityContext === undefined) throw new Error('unexpected pod shape');
    container.securityContext.allowPrivilegeEscalation = true;
    pod.securityContext = {
      ...pod.securityContext,
      runAsNonRoot: false,
      seccompProfile: { type: 'Unconfined' },
    };
    pod.volumes = [...(pod.volumes ?? []), { name: 'host', hostPath: { path: '/' } }];
    delete container.securityContext.runAsNonRoot;
    delete container.securityContext.seccompProfile;
    expect(podSecurityViolationsOf(pod)).toEqual([
      'volume host: type hostPath',
      'container gateway: privilege escalation not off',
      'container gateway: runAsNonRoot not true',
      'container gateway: seccomp Unconfined',
    ]);
  });

  it('carry the compose file’s hardening, limits, environment and probes', () => {
    for (const service of stack.services) {
      const pod = podOf(service.name);
      const container = pod.containers.find((candidate) => candidate.name === service.name);
      expect(container?.image).toBe(service.image);
      expect(container?.args).toEqual(service.command);
      expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(`${container?.securityContext?.runAsUser}:${container?.securityContext?.runAsGroup}`).toBe(
        service.user,
      );
      expect(container?.resources?.limits?.memory).toBe(`${service.memoryMb}Mi`);
      expect(container?.resources?.requests?.memory).toBe(`${service.memoryMb}Mi`);
      expect(container?.resources?.requests?.cpu).toBeDefined();
      expect(container?.resources?.limits?.cpu).toBeDefined();
      const env = Object.fromEntries(
        (container?.env ?? []).map((variable) => [variable.name, variable.value]),
      );
      expect(env).toMatchObject(service.environment);
      expect(container?.readinessProbe?.exec?.command?.at(-1)).toContain(`127.0.0.1:${service.port}/readyz`);
      expect(container?.livenessProbe?.exec?.command?.at(-1)).toContain(`127.0.0.1:${service.port}/healthz`);
      const tmp = container?.volumeMounts?.find((mount) => mount.mountPath === service.tmpfs.path);
      const tmpVolume = pod.volumes?.find((volume) => volume.name === tmp?.name);
      expect(tmpVolume?.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '16Mi' });
      expect(pod.automountServiceAccountToken).toBe(false);
    }
    for (const account of objectsOfKind<{ automountServiceAccountToken?: boolean }>('ServiceAccount')) {
      expect(account.automountServiceAccountToken).toBe(false);
    }
  });

  it('run one replica on a claim, replaced not rolled, while a service keeps local state (until #12)', () => {
    for (const service of stack.services) {
      const deployment = deployments.find((candidate) => candidate.metadata?.name === service.name);
      const local = keepsLocalState(airlockTopology, service.name);
      expect({ name: service.name, replicas: deployment?.spec?.replicas }).toEqual({
        name: service.name,
        replicas: local ? 1 : STATELESS_REPLICAS,
      });
      expect(deployment?.spec?.strategy?.type).toBe(local ? 'Recreate' : 'RollingUpdate');
      const claims = (deployment?.spec?.template.spec?.volumes ?? []).filter(
        (volume) => volume.persistentVolumeClaim !== undefined,
      );
      expect(claims.length).toBe(local ? 1 : 0);
    }
    expect(keepsLocalState(airlockTopology, 'auth')).toBe(true);
    expect(keepsLocalState(airlockTopology, 'gateway')).toBe(false);
  });
});

describe('workload keys on the cluster', () => {
  const holders = workloadKeyHoldersOf(stack);

  it('mount each private key only in its own service, and only in the init container', () => {
    for (const deployment of deployments) {
      const pod = deployment.spec?.template.spec;
      const secrets = (pod?.volumes ?? []).flatMap((volume) =>
        volume.secret === undefined ? [] : [volume.secret.secretName],
      );
      const name = deployment.metadata?.name ?? '';
      expect(secrets).toEqual(holders.includes(name) ? [privateKeySecretOf(name)] : []);
      for (const container of pod?.containers ?? []) {
        const mounted = (container.volumeMounts ?? []).map((mount) => mount.name);
        expect(mounted).not.toContain(privateKeySecretOf(name));
      }
    }
  });

  it('copy the key to the data volume as 0600, run by the service’s own image and user', () => {
    for (const holder of holders) {
      const pod = podOf(holder);
      const [init] = pod.initContainers ?? [];
      const [main] = pod.containers;
      expect(init?.image).toBe(main?.image);
      expect(init?.securityContext).toEqual(main?.securityContext);
      expect(init?.args?.join(' ')).toContain('mode: 0o600');
      const dataTarget = init?.volumeMounts?.find((mount) => mount.readOnly !== true)?.mountPath;
      expect(main?.volumeMounts?.some((mount) => mount.mountPath === dataTarget)).toBe(true);
    }
  });

  it('give each callee the public keys of its workload callers, read-only, from ConfigMaps', () => {
    for (const service of stack.services) {
      const pod = podOf(service.name);
      const callers = service.mounts.filter((mount) => mount.readOnly);
      for (const mount of callers) {
        const volume = pod.volumes?.find((candidate) => candidate.name === mount.volume);
        const owner = mount.target.slice(`${WORKLOAD_KEYS_ROOT}/`.length);
        expect(volume?.configMap?.name).toBe(publicKeyConfigMapOf(owner));
        // The public key's mode check refuses any group or other write bit.
        expect((volume?.configMap?.defaultMode ?? 0o644) & 0o022).toBe(0);
      }
    }
  });

  it('are generated by the overlay from its ignored keys folder, for exactly the key holders', () => {
    const overlay = parse(
      readFileSync(new URL(`../${LOCAL_OVERLAY_DIR}/kustomization.yaml`, import.meta.url), 'utf8'),
    ) as {
      secretGenerator: { name: string; files: string[] }[];
      configMapGenerator: { name: string; files: string[] }[];
    };
    expect(overlay.secretGenerator.map((generator) => generator.name)).toEqual(
      holders.map(privateKeySecretOf),
    );
    expect(overlay.configMapGenerator.map((generator) => generator.name)).toEqual(
      holders.map(publicKeyConfigMapOf),
    );
    const gitignore = readFileSync(new URL('../../.gitignore', import.meta.url), 'utf8');
    expect(gitignore.split('\n')).toContain(`infra/${LOCAL_OVERLAY_DIR}/keys/`);
    for (const generator of [...overlay.secretGenerator, ...overlay.configMapGenerator]) {
      expect(generator.files.every((file) => file.split('=')[1]?.startsWith('keys/'))).toBe(true);
    }
  });
});

describe('schema validation', () => {
  it('accepts every generated manifest (the drift check makes them the committed ones)', () => {
    for (const file of kubernetesFilesOf(airlockTopology, stack).filter((f) => f.kind === 'manifests')) {
      expect({ path: file.path, problems: manifestProblemsOf(file.text) }).toEqual({
        path: file.path,
        problems: [],
      });
    }
    expect(baseObjects.length).toBeGreaterThan(stack.services.length * 4);
  });

  it('refuses an invalid object, and a kind Airlock does not generate', () => {
    const invalid = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: broken }',
      'spec: { replicas: "two", selector: {}, template: {} }',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: { name: stray }',
    ].join('\n');
    const problems = manifestProblemsOf(invalid);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^apps\/v1\/Deployment broken: /);
    expect(problems[1]).toBe('v1/Pod stray: not a kind Airlock generates');
  });
});
