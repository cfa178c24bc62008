// Reads the public key a service published, for auth's client lookup. Missing means "this service has
// not started yet" (undefined); anything present but wrong is an error, never a silently accepted key.
import { readFile } from 'node:fs/promises';
import { WorkloadIdentityError } from './errors.js';
import { isNotFound } from './fs-errors.js';
import { assertFileMode, workloadKeyPaths, type WorkloadKeyLocation } from './key-files.js';
import { parsePublicJwk, type WorkloadPublicJwk } from './workload-jwk.js';

/** Group and others may not write the file: whoever could would choose the key auth trusts. */
const PUBLIC_FORBIDDEN_BITS = 0o022;

export async function readWorkloadPublicJwk(
  location: WorkloadKeyLocation,
): Promise<WorkloadPublicJwk | undefined> {
  const { publicKey } = workloadKeyPaths(location);
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
