// Writes infra/kubernetes (the kustomize base and the local overlay) from the topology, or with --check fails
// when a generated file drifted, a manifest does not validate against the Kubernetes schemas, or a file is left
// over from a service that no longer exists. `./airlock check` runs the check.
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { airlockTopology } from '@airlock/topology';
import { format, resolveConfig } from 'prettier';
import { BASE_DIR, kubernetesFilesOf } from '../kubernetes/kubernetes-files.js';
import { manifestProblemsOf } from '../kubernetes/validate-manifests.js';
import { stackOf } from '../stack.js';
import { exitIfStale, infraRoot, isCheck, writeOrCheck } from './generated-files.js';

const files = kubernetesFilesOf(airlockTopology, stackOf(airlockTopology, { embeddedState: true }));

const problems = files
  .filter((file) => file.kind === 'manifests')
  .flatMap((file) => manifestProblemsOf(file.text).map((problem) => `infra/${file.path}: ${problem}`));
if (problems.length > 0) {
  console.error(`generated Kubernetes manifests do not validate:\n${problems.join('\n')}`);
  process.exit(1);
}

const check = isCheck();
const stale = await writeOrCheck(
  files.map((file) => ({
    path: file.path,
    // In the repository's own format, so that `prettier --check` and this drift check agree on one text.
    render: async (_current, path) => format(file.text, { ...(await resolveConfig(path)), filepath: path }),
  })),
  check,
);

const baseDir = fileURLToPath(new URL(`${BASE_DIR}/`, infraRoot));
const generated = new Set(files.map((file) => file.path));
for (const name of readdirSync(baseDir)) {
  if (generated.has(`${BASE_DIR}/${name}`)) continue;
  if (check) {
    stale.push(`infra/${BASE_DIR}/${name} (not generated)`);
  } else {
    rmSync(`${baseDir}${name}`);
    console.log(`removed infra/${BASE_DIR}/${name}`);
  }
}
exitIfStale(stale);
