// Where a service's key pair lives in the data folder, and the checks every read of those files makes.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkloadIdentityError } from './errors.js';

/** Same alphabet as topology service names, so a name can never climb out of the data folder. */
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,30}$/;

export const PRIVATE_KEY_FILE = 'workload-key.private.jwk.json';
export const PUBLIC_KEY_FILE = 'workload-key.public.jwk.json';

export interface WorkloadKeyLocation {
  /** The data folder (`AIRLOCK_DATA_DIR`); the private key goes to `<dataDir>/<service>/`. */
  readonly dataDir: string;
  readonly service: string;
  /**
   * Where the public key is published for auth (`AIRLOCK_WORKLOAD_KEYS_DIR`): `<publicKeysDir>/<service>/`.
   * Defaults to `dataDir` (the local stack shares one folder); containers mount a separate volume here, so
   * auth can read the public key without any access to the service's data.
   */
  readonly publicKeysDir?: string;
}

export interface WorkloadKeyPaths {
  /** Holds the private key. */
  readonly dir: string;
  /** Holds the public key (the same folder unless publicKeysDir is given). */
  readonly publicDir: string;
  readonly privateKey: string;
  readonly publicKey: string;
}

export function assertServiceName(service: unknown): asserts service is string {
  if (typeof service !== 'string' || !SERVICE_NAME.test(service)) {
    throw new WorkloadIdentityError(
      'invalid_service_name',
      `service name "${String(service)}" is not a valid name`,
    );
  }
}

export function workloadKeyPaths({ dataDir, service, publicKeysDir }: WorkloadKeyLocation): WorkloadKeyPaths {
  assertServiceName(service);
  if (typeof dataDir !== 'string' || dataDir.length === 0) {
    throw new TypeError('dataDir must be a non-empty path');
  }
  if (publicKeysDir !== undefined && (typeof publicKeysDir !== 'string' || publicKeysDir.length === 0)) {
    throw new TypeError('publicKeysDir must be a non-empty path when given');
  }
  const dir = join(dataDir, service);
  const publicDir = join(publicKeysDir ?? dataDir, service);
  return {
    dir,
    publicDir,
    privateKey: join(dir, PRIVATE_KEY_FILE),
    publicKey: join(publicDir, PUBLIC_KEY_FILE),
  };
}

/**
 * Refuses a key file whose mode has any of `forbiddenBits`: the private key must be readable by its owner
 * only, and nobody but the owner may rewrite a public key that auth trusts.
 */
export async function assertFileMode(path: string, forbiddenBits: number, what: string): Promise<void> {
  const { mode } = await stat(path);
  if ((mode & forbiddenBits) !== 0) {
    throw new WorkloadIdentityError(
      'insecure_key_file',
      `${what} ${path} has mode ${(mode & 0o777).toString(8)}; it must not grant ${forbiddenBits.toString(8)}`,
    );
  }
}
