// The init container's key copy, run for real: a Secret volume with an fsGroup leaves the key 0440, which the
// workload key check refuses; the copy it makes is 0600 and the service's own key loading accepts it.
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ensureWorkloadKeyPair, PRIVATE_KEY_FILE, workloadKeyPaths } from '@airlock/workload-identity';
import { installKeyScript } from '../src/kubernetes/workload-manifests.js';

const run = promisify(execFile);
let root: string;
let generated: { kid: string };
let secretFile: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'airlock-k8s-key-'));
  // What `./airlock k8s:keys` does, then what the kubelet makes of it: a read-only copy, group-readable.
  generated = await ensureWorkloadKeyPair({ dataDir: join(root, 'keys'), service: 'gateway' });
  secretFile = join(root, 'secret', PRIVATE_KEY_FILE);
  await mkdir(join(root, 'secret'));
  await copyFile(
    workloadKeyPaths({ dataDir: join(root, 'keys'), service: 'gateway' }).privateKey,
    secretFile,
  );
  await chmod(secretFile, 0o440);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the workload key on a cluster', () => {
  it('is refused as the Secret volume presents it (group-readable)', async () => {
    await mkdir(join(root, 'as-mounted', 'gateway'), { recursive: true });
    await copyFile(secretFile, join(root, 'as-mounted', 'gateway', PRIVATE_KEY_FILE));
    await expect(
      ensureWorkloadKeyPair({ dataDir: join(root, 'as-mounted'), service: 'gateway' }),
    ).rejects.toMatchObject({ code: 'insecure_key_file' });
  });

  it('is accepted, unchanged, once the init container copied it to the data volume', async () => {
    const target = join(root, 'data', 'gateway', PRIVATE_KEY_FILE);
    await mkdir(join(root, 'data', 'gateway'), { recursive: true });
    // Twice: the copy runs at every start of the pod and replaces the previous one.
    for (let start = 0; start < 2; start += 1) {
      await run(process.execPath, ['-e', installKeyScript(secretFile, target)]);
      expect((await stat(target)).mode & 0o777).toBe(0o600);
    }
    const loaded = await ensureWorkloadKeyPair({
      dataDir: join(root, 'data'),
      publicKeysDir: join(root, 'public'),
      service: 'gateway',
    });
    expect(loaded.kid).toBe(generated.kid);
  });

  it('fails the init container, so the pod does not start, when the Secret holds no key', async () => {
    const target = join(root, 'empty', PRIVATE_KEY_FILE);
    await expect(
      run(process.execPath, ['-e', installKeyScript(join(root, 'missing', PRIVATE_KEY_FILE), target)]),
    ).rejects.toMatchObject({ code: 1 });
  });
});
