// Reads the public key a service published, for auth's client lookup. Missing means "this service has
// not started yet" (undefined); anything present but wrong is an error, never a silently accepted key.
import { readFile } from 'node:fs/promises';
import { WorkloadIdentityError } from './errors.js';
import { isNotFound } from './fs-errors.js';
import { assertFileMode, workloadKeyPaths } from './key-files.js';
import { parsePublicJwk, type WorkloadPublicJwk } from './workload-jwk.js';

/** Group and others may not write the file: whoever could would choose the key auth trusts. */
const PUBLIC_FORBIDDEN_BITS = 0o022;

/**
 * `dataDir`: the folder the service published into, `<dataDir>/<service>/workload-key.public.jwk.json`
 * (the shared data folder locally, AIRLOCK_WORKLOAD_KEYS_DIR in containers).
 */
export async function readWorkloadPublicJwk(location: {
  readonly dataDir: string;
  readonly service: string;
}): Promise<WorkloadPublicJwk | undefined> {
  const { publicKey } = workloadKeyPaths({ dataDir: location.dataDir, service: location.service });
  let text: string;
  try {
    text = await readFile(publicKey, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  await assertFileMode(publicKey, PUBLIC_FORBIDDEN_BITS, 'public key file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new WorkloadIdentityError('invalid_key_file', `${publicKey}: not valid JSON`, { cause });
  }
  return parsePublicJwk(parsed, publicKey);
}
