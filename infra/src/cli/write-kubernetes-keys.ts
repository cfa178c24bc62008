// `./airlock k8s:keys`: generates the workload key pair of every service that authenticates as itself into the
// local overlay's ignored keys/ folder, where its kustomization turns them into a Secret per service (private key)
// and a ConfigMap per service (public key). An existing pair is kept; delete keys/ to rotate every key.
import { fileURLToPath } from 'node:url';
import { airlockTopology } from '@airlock/topology';
import { ensureWorkloadKeyPair } from '@airlock/workload-identity';
import { workloadKeyHoldersOf } from '../kubernetes/cluster-layout.js';
import { LOCAL_OVERLAY_DIR, PRIVATE_KEYS_DIR, PUBLIC_KEYS_DIR } from '../kubernetes/kubernetes-files.js';
import { stackOf } from '../stack.js';
import { infraRoot } from './generated-files.js';

const overlay = new URL(`${LOCAL_OVERLAY_DIR}/`, infraRoot);
for (const service of workloadKeyHoldersOf(stackOf(airlockTopology, { embeddedState: true }))) {
  // The same function that gives a service its key at first start: same format, same 0600 private file.
  const { kid } = await ensureWorkloadKeyPair({
    dataDir: fileURLToPath(new URL(PRIVATE_KEYS_DIR, overlay)),
    publicKeysDir: fileURLToPath(new URL(PUBLIC_KEYS_DIR, overlay)),
    service,
  });
  console.log(
    `${service}: workload key ${kid} in infra/${LOCAL_OVERLAY_DIR}/${PRIVATE_KEYS_DIR}/${service}/`,
  );
}
