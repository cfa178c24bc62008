import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import express from 'express';

import { ServerStartError, startServer } from '../src/start-server.js';
import type { RunningServer, StartServerOptions } from '../src/start-server.js';
import { memoryLogger } from './helpers/memory-logger.js';

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((server) => server.close()));
});

function slowApp(delayMs: number): express.Express {
  const app = express();
  app.get('/slow', (_req, res) => {
    setTimeout(() => res.json({ done: true }), delayMs);
  });
  app.get('/hang', () => undefined);
  app.get('/fast', (_req, res) => res.json({ ok: true }));
  return app;
}

async function start(
  app: express.Express,
  options: Partial<StartServerOptions> = {},
): Promise<RunningServer> {
  const server = await startServer(app, {
    port: 0,
    logger: memoryLogger().logger,
    handleSignals: false,
    ...options,
  });
  running.push(server);
  return server;
}

/** A GET to the loopback server; resolves with the response and its body. */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        resolve({ res, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startServer', () => {
  it('listens on 127.0.0.1 by default and serves the app', async () => {
    const server = await start(slowApp(0));
    expect(server.address.address).toBe('127.0.0.1');
    const { res, body } = await get(server.address.port, '/fast');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(body)).toEqual({ ok: true });
  });

  it('sets the HTTP timeouts and header limit', async () => {
    const server = await start(slowApp(0), { maxHeaderSize: 4096 });
    expect(server.server.headersTimeout).toBe(10_000);
    expect(server.server.requestTimeout).toBe(30_000);
    expect(server.server.keepAliveTimeout).toBe(5_000);
    const { res } = await get(server.address.port, '/fast', { 'X-Big': 'x'.repeat(8000) });
    expect(res.statusCode).toBe(431);
  });

  it('rejects with address_in_use, naming the port, when the port is taken', async () => {
    const first = await start(slowApp(0));
    const log = memoryLogger();
    const second = startServer(slowApp(0), {
      port: first.address.port,
      logger: log.logger,
      handleSignals: false,
    });
    await expect(second).rejects.toBeInstanceOf(ServerStartError);
    await expect(second).rejects.toMatchObject({
      code: 'address_in_use',
      message: expect.stringContaining(String(first.address.port)),
    });
    expect(log.records()).toContainEqual(
      expect.objectContaining({ level: 'fatal', port: first.address.port }),
    );
  });

  it('shares the port with another server that also asks for reusePort (replicas on one port)', async () => {
    const first = await start(slowApp(0), { reusePort: true });
    const second = await start(slowApp(0), { port: first.address.port, reusePort: true });
    expect(second.address.port).toBe(first.address.port);
    const { res } = await get(first.address.port, '/fast');
    expect(res.statusCode).toBe(200);
  });

  it('on close, finishes in-flight requests, stops accepting, then runs onShutdown', async () => {
    const events: string[] = [];
    const server = await start(slowApp(200), {
      onShutdown: () => {
        events.push('onShutdown');
      },
    });
    server.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.once('finish', () => events.push('response sent'));
    });
    const inFlight = get(server.address.port, '/slow');
    await once(server.server, 'request');
    const closing = server.close().then(() => events.push('closed'));
    const { res, body } = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(body)).toEqual({ done: true });
    expect(res.headers.connection).toBe('close');
    await closing;
    expect(events).toEqual(['response sent', 'onShutdown', 'closed']);
    await expect(get(server.address.port, '/fast')).rejects.toThrow();
  });

  it('closes a kept-alive connection whose response had started before shutdown, without waiting for keep-alive', async () => {
    const app = express();
    app.get('/stream', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('part 1;');
      setTimeout(() => res.end('part 2'), 100);
    });
    const server = await start(app, { keepAliveTimeoutMs: 5_000 });
    const agent = new Agent({ keepAlive: true });
    const streamed = new Promise<string>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: server.address.port, path: '/stream', agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          resolve(body);
        });
      })
        .on('error', reject)
        .end();
    });
    await once(server.server, 'request');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await server.close();
    expect(await streamed).toBe('part 1;part 2');
    expect(Date.now() - started).toBeLessThan(1_000);
    agent.destroy();
  });

  it('cuts requests that outlive the shutdown deadline', async () => {
    const server = await start(slowApp(0), { shutdownTimeoutMs: 100 });
    const hanging = get(server.address.port, '/hang');
    await once(server.server, 'request');
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(hanging).rejects.toThrow();
  });

  it('is idempotent and rejects when onShutdown fails', async () => {
    const server = await start(slowApp(0), { onShutdown: () => Promise.reject(new Error('pool')) });
    const first = server.close();
    expect(server.close()).toBe(first);
    await expect(first).rejects.toThrow('pool');
  });

  it('shuts down on SIGTERM and exits 0, then stops listening for signals', async () => {
    const exit = jest.fn<(code: number) => void>();
    const before = process.listenerCount('SIGTERM');
    const server = await start(slowApp(0), { handleSignals: true, exit });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    await server.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(exit).toHaveBeenCalledWith(0);
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(server.server.listening).toBe(false);
  });

  it('exits 1 after a signal when onShutdown fails', async () => {
    const exit = jest.fn<(code: number) => void>();
    const server = await start(slowApp(0), {
      handleSignals: true,
      exit,
      onShutdown: () => Promise.reject(new Error('x')),
    });
    process.emit('SIGINT', 'SIGINT');
    await server.close().catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(exit).toHaveBeenCalledWith(1);
  });

  it.each([
    [{ port: -1 }, /port/],
    [{ port: 70000 }, /port/],
    [{ host: '' }, /host/],
    [{ shutdownTimeoutMs: 0 }, /shutdownTimeoutMs/],
    [{ headersTimeoutMs: 60_000, requestTimeoutMs: 30_000 }, /headersTimeoutMs/],
    [{ maxHeaderSize: 10 }, /maxHeaderSize/],
  ])('checks its options and logs why: %j', async (options, message) => {
    const log = memoryLogger();
    await expect(
      startServer(slowApp(0), { port: 0, logger: log.logger, handleSignals: false, ...options }),
    ).rejects.toThrow(message);
    expect(log.records()).toContainEqual(
      expect.objectContaining({ level: 'fatal', msg: 'invalid server options' }),
    );
  });
});
