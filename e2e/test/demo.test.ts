// The narrated demo is documentation that runs: it must keep passing against the real stack.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT_DIR, startE2eStack, type E2eStack } from './support/e2e-stack.js';

let e2e: E2eStack;
beforeAll(async () => {
  e2e = await startE2eStack();
});
afterAll(async () => {
  await e2e.close();
});

describe('pnpm demo', () => {
  it('shows every control holding', () => {
    const demo = spawnSync(process.execPath, [join(ROOT_DIR, 'packages/client/dist/cli/demo.js')], {
      env: {
        ...process.env,
        AIRLOCK_GATEWAY_URL: e2e.edgeUrl,
        AIRLOCK_AUTH_URL: e2e.urlOf('auth'),
        AIRLOCK_ORDERS_URL: e2e.urlOf('orders'),
        AIRLOCK_DATA_DIR: e2e.dataDir,
        AIRLOCK_DEMO_PASSWORD: e2e.password,
      },
      encoding: 'utf8',
      timeout: 50_000,
    });
    expect(demo.stderr).toBe('');
    expect(demo.stdout).toContain('Every control held.');
    expect(demo.stdout).not.toContain('FAIL');
    expect(demo.status).toBe(0);
  });
});
