// Reads the committed Kubernetes manifests (infra/kubernetes/base) back as plain objects, and the pods they
// would run, for the tests that hold the manifests to the topology without a cluster.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { BASE_DIR } from '../src/kubernetes/kubernetes-files.js';
import { NAMESPACE_NAME_LABEL } from '../src/kubernetes/network-policies.js';
import type { Peer } from '../src/kubernetes/policy-reachability.js';
import { parseManifests } from '../src/kubernetes/validate-manifests.js';

const baseDir = fileURLToPath(new URL(`../${BASE_DIR}/`, import.meta.url));

export const baseObjects: Record<string, unknown>[] = readdirSync(baseDir)
  .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
  .sort()
  .flatMap((name) => parseManifests(readFileSync(`${baseDir}${name}`, 'utf8')));

export function objectsOfKind<T>(kind: string): T[] {
  return baseObjects.filter((object) => object.kind === kind) as T[];
}

export const deployments = objectsOfKind<IDeployment>('Deployment');
export const networkPolicies = objectsOfKind<INetworkPolicy>('NetworkPolicy');

/** One pod per Deployment, in the namespace the manifests create, with that namespace's labels. */
export function podsOfDeployments(): Peer[] {
  const namespaces = objectsOfKind<{ metadata: { name: string; labels?: Record<string, string> } }>(
    'Namespace',
  );
  return deployments.map((deployment) => {
    const namespace = deployment.metadata?.namespace ?? 'default';
    const labels = namespaces.find((candidate) => candidate.metadata.name === namespace)?.metadata.labels;
    const containers = deployment.spec?.template.spec?.containers ?? [];
    return {
      name: deployment.metadata?.name ?? '',
      namespace,
      // The API server adds this label to every namespace.
      namespaceLabels: { ...labels, [NAMESPACE_NAME_LABEL]: namespace },
      podLabels: { ...deployment.spec?.template.metadata?.labels },
      namedPorts: Object.fromEntries(
        containers.flatMap((container) =>
          (container.ports ?? []).flatMap((port) =>
            port.name === undefined ? [] : [[port.name, port.containerPort]],
          ),
        ),
      ),
    };
  });
}
