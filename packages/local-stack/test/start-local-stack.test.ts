import { describe, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  LocalStackError,
  portEnvName,
  START_ORDER,
  startLocalStack,
  type ServiceName,
} from '../src/start-local-stack.js';

async function freePorts(): Promise<Record<ServiceName, number>> {
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const service of START_ORDER) ports[service] = await freePort();
  return ports as Record<ServiceName, number>;
}

async function fakeRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'airlock-local-stack-'));
  for (const service of START_ORDER) {
    await mkdir(join(root, 'apps', service, 'dist'), { recursive: true });
    await writeFile(join(root, 'apps', service, 'dist', 'index.js'), 'process.exit(3);\n');
  }
  return root;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LocalStackError) return error.code;
    throw error;
  }
  throw new Error('expected a LocalStackError');
}

describe('startLocalStack', () => {
  it('names the port variable of each service', () => {
    expect(portEnvName('image-processor')).toBe('AIRLOCK_IMAGE_PROCESSOR_PORT');
  });

  it('refuses to start when a service is not built', async () => {
    const root = await mkdtemp(join(tmpdir(), 'airlock-local-stack-'));
    try {
      expect(await codeOf(startLocalStack({ rootDir: root, dataDir: join(root, 'data') }))).toBe('not_built');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('names a taken port instead of starting anything', async () => {
    const root = await fakeRoot();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const taken = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const ports = await freePorts();
      const error = startLocalStack({
        rootDir: root,
        dataDir: join(root, 'data'),
        ports: { ...ports, orders: taken },
      });
      await expect(error).rejects.toThrow(`port ${taken} for orders is taken`);
    } finally {
      blocker.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('reports a service that exits during start-up and leaves nothing running', async () => {
    const root = await fakeRoot();
    try {
      const ports = await freePorts();
      expect(await codeOf(startLocalStack({ rootDir: root, dataDir: join(root, 'data'), ports }))).toBe(
        'not_ready',
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('START_ORDER', () => {
  it('starts exactly the services of the topology, the issuer first and the edge service last', async () => {
    const { airlockTopology, edgeService, issuerServiceOf } = await import('@airlock/topology');
    expect([...START_ORDER].sort()).toEqual(airlockTopology.services.map((service) => service.name).sort());
    expect(START_ORDER[0]).toBe(issuerServiceOf(airlockTopology).name);
    expect(START_ORDER[START_ORDER.length - 1]).toBe(edgeService(airlockTopology).name);
  });
});
