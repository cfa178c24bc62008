// `swarm-up.sh` runs this before `docker stack deploy`: each store's init (once, no network) writes the store's
// volume and one credential per user; each credential becomes a Swarm secret, by way of a 0600 file in the
// ignored infra/swarm/.local/secrets/. `--remove` deletes the secrets again (swarm-down.sh).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { airlockTopology } from '@airlock/topology';
import { credentialMountsOf, oneShotRunArguments, SWARM_STACK_NAME } from '../render-swarm-stack.js';
import { imageOf, NODE_BINARY, STORE_INIT_IMAGE, stackOf } from '../stack.js';
import { infraRoot } from './generated-files.js';

const stack = stackOf(airlockTopology);
const secrets = [...credentialMountsOf(airlockTopology, stack).values()].flat();
const secretsDir = fileURLToPath(new URL('swarm/.local/secrets/', infraRoot));

function docker(args: readonly string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function secretExists(name: string): boolean {
  return docker(['secret', 'ls', '--quiet', '--filter', `name=${name}`]).trim() !== '';
}

if (process.argv.includes('--remove')) {
  for (const secret of secrets) {
    if (secretExists(secret.secret)) docker(['secret', 'rm', secret.secret]);
  }
  process.exit(0);
}

for (const oneShot of stack.oneShots) {
  process.stdout.write(docker(oneShotRunArguments(oneShot)));
}
mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
for (const secret of secrets) {
  // Read by the init image's own Node as 65532 (the file is its, mode 0400), with no network.
  const url = docker([
    'run',
    '--rm',
    '--network',
    'none',
    '--read-only',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges:true',
    '--mount',
    `type=volume,source=${SWARM_STACK_NAME}_${secret.volume},target=/credential,readonly`,
    '--entrypoint',
    NODE_BINARY,
    imageOf(STORE_INIT_IMAGE),
    '-e',
    'process.stdout.write(require("node:fs").readFileSync("/credential/url","utf8"))',
  ]);
  const file = `${secretsDir}${secret.secret}`;
  writeFileSync(file, url, { mode: 0o600 });
  chmodSync(file, 0o600);
  if (secretExists(secret.secret)) continue;
  docker(['secret', 'create', '--label', `org.airlock.stack=${SWARM_STACK_NAME}`, secret.secret, file]);
  console.log(`swarm-prepare: secret ${secret.secret}`);
}
