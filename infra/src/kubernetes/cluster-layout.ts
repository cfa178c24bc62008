// How the stack maps onto one Kubernetes namespace: names, labels, replicas and who holds a workload key. Every
// manifest, the overlay, the key CLI and the tests read these, so a name is decided once.
import { serviceNamed, type Topology } from '@airlock/topology';
import { profileOf, type Stack } from '../stack.js';

export const NAMESPACE = 'airlock';
/** The label every policy selects pods by: the topology's service name. */
export const SERVICE_LABEL = 'app.kubernetes.io/name';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
/** On each NetworkPolicy allow: the topology's reasons for the calls it lets through. */
export const WHY_ANNOTATION = 'airlock/why';
/** The container port's name, which each Service targets. */
export const PORT_NAME = 'http';
/** Replicas of a service that keeps no state of its own in a volume. */
export const STATELESS_REPLICAS = 2;
/** A service's SQLite database or signing keys live on this claim until #12 moves them to PostgreSQL/Redis. */
export const DATA_CLAIM_SIZE = '1Gi';
/** Where an init container finds the Secret that holds the service's private workload key. */
export const WORKLOAD_KEY_SECRET_MOUNT = '/workload-key-secret';

export function podLabelsOf(service: string): Record<string, string> {
  return { [SERVICE_LABEL]: service, [PART_OF_LABEL]: NAMESPACE };
}

/**
 * A service keeps local state when its data volume holds more than its workload key (a SQLite database, auth's
 * signing keys): it then runs one replica on a claim, replaced (not rolled) on update. The others run
 * {@link STATELESS_REPLICAS}, each with its key copied from the Secret.
 */
export function keepsLocalState(topology: Topology, service: string): boolean {
  return (
    profileOf(topology, service).persistsData &&
    serviceNamed(topology, service).container?.persistsOnlyWorkloadKey !== true
  );
}

export function replicasOf(topology: Topology, service: string): number {
  return keepsLocalState(topology, service) ? 1 : STATELESS_REPLICAS;
}

/** The services that authenticate as themselves somewhere, so have a workload key pair. */
export function workloadKeyHoldersOf(stack: Stack): string[] {
  return stack.volumes.filter((volume) => volume.purpose === 'workload-public-key').map((v) => v.owner);
}

export function privateKeySecretOf(service: string): string {
  return `${service}-workload-private-key`;
}

export function publicKeyConfigMapOf(service: string): string {
  return `${service}-workload-public-key`;
}

export function dataClaimOf(service: string): string {
  return `${service}-data`;
}
