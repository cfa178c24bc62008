// What idle and half-sent connections cost the gateway, and what its connection caps hold (issue 11, finding 6):
// the finding's attack (3,000 sockets from 50 loopback addresses, each sending half a request head) against the
// built gateway (A) with the caps opened wide, as before the fix, and (B) with its default caps; the resident
// memory each connection costs, the connections each one holds, and whether a normal client is still answered.
// The figures behind DEFAULT_MAX_CONNECTIONS and DEFAULT_MAX_CONNECTIONS_PER_CLIENT (src/config.ts).
//
// Run: `pnpm --filter @airlock/gateway bench:connections` (builds, then runs this file with Node's type
// stripping). Loopback only; 3,000 sockets at most, held for about a second; the run takes about ten seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const ADDRESSES = 50;
const SOCKETS_PER_ADDRESS = 60;
/** A browser opens at most 6 connections per origin over HTTP/1.1 (Chromium, Firefox, Safari). */
const BROWSER_CONNECTIONS_PER_ORIGIN = 6;

const gatewayEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
/** The node flags of the `start` script: the bench measures the gateway as deployed. */
const startFlags = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  }
).scripts.start
  .split(' ')
  .filter((part) => part.startsWith('--'));

const children: ChildProcess[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'airlock-gateway-connections-'));
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

function residentKb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
}

/** A normal client from an address of its own: the answer's status and how long it took. */
async function normalRequest(url: string): Promise<{ status: number | string; ms: number }> {
  const agent = new Agent({ localAddress: '127.0.2.1' });
  const started = performance.now();
  try {
    const res = await request(`${url}/nope`, { dispatcher: agent, headersTimeout: 2_000 });
    await res.body.dump();
    return { status: res.statusCode, ms: performance.now() - started };
  } catch (error) {
    return { status: (error as { code?: string }).code ?? 'error', ms: performance.now() - started };
  } finally {
    await agent.close();
  }
}

async function startGateway(
  name: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await unusedPort();
  const child = spawn(process.execPath, [...startFlags, gatewayEntry], {
    env: {
      ...process.env,
      AIRLOCK_GATEWAY_PORT: String(port),
      AIRLOCK_AUTH_URL: 'http://127.0.0.1:9',
      AIRLOCK_ORDERS_URL: 'http://127.0.0.1:9',
      AIRLOCK_IMAGE_PROCESSOR_URL: 'http://127.0.0.1:9',
      AIRLOCK_DATA_DIR: join(dataDir, name),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${String(port)}`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if ((await normalRequest(url)).status === 404) return { child, url };
    await sleep(100);
  }
  throw new Error(`gateway ${name} did not start`);
}

/** The attack: half a request head on each socket, then nothing; resolves with the sockets still open. */
async function attack(url: string): Promise<{ open: number; perAddressMax: number; sockets: Socket[] }> {
  const port = Number(new URL(url).port);
  const sockets: Socket[] = [];
  const opening: Promise<void>[] = [];
  for (let host = 1; host <= ADDRESSES; host += 1) {
    for (let index = 0; index < SOCKETS_PER_ADDRESS; index += 1) {
      const socket = connect({ host: '127.0.0.1', port, localAddress: `127.0.1.${String(host)}` });
      socket.on('error', () => undefined);
      sockets.push(socket);
      opening.push(
        new Promise((resolve) => {
          socket.once('connect', () => {
            socket.write('GET /api/orders HTTP/1.1\r\nHost: x\r\n');
            resolve();
          });
          socket.once('close', () => {
            resolve();
          });
        }),
      );
    }
  }
  await Promise.all(opening);
  // Excess is closed on accept; let the last closes arrive before counting.
  await sleep(500);
  const perAddress = new Map<string, number>();
  for (const socket of sockets) {
    if (socket.destroyed || socket.localAddress === undefined) continue;
    perAddress.set(socket.localAddress, (perAddress.get(socket.localAddress) ?? 0) + 1);
  }
  const counts = [...perAddress.values()];
  return {
    open: counts.reduce((sum, count) => sum + count, 0),
    perAddressMax: Math.max(0, ...counts),
    sockets,
  };
}

async function measure(name: string, env: Record<string, string>): Promise<void> {
  const { child, url } = await startGateway(name, env);
  await sleep(300);
  const before = residentKb(child.pid);
  const held = await attack(url);
  const after = residentKb(child.pid);
  const normal = await normalRequest(url);
  for (const socket of held.sockets) socket.destroy();
  child.kill('SIGTERM');
  const perSocket = held.open === 0 ? 0 : (after - before) / held.open;
  console.log(
    `${name}: ${String(held.open)} of ${String(ADDRESSES * SOCKETS_PER_ADDRESS)} sockets held open ` +
      `(at most ${String(held.perAddressMax)} per address); gateway RSS ${(before / 1024).toFixed(1)} -> ` +
      `${(after / 1024).toFixed(1)} MB, ${perSocket.toFixed(1)} KB per open socket; a normal client from ` +
      `another address: ${String(normal.status)} in ${normal.ms.toFixed(0)} ms`,
  );
}

console.log(
  `attack: ${String(SOCKETS_PER_ADDRESS)} half-sent requests from each of ${String(ADDRESSES)} loopback ` +
    `addresses; a legitimate browser needs at most ${String(BROWSER_CONNECTIONS_PER_ORIGIN)} per origin`,
);
await measure('A caps opened wide (as before the fix)', {
  AIRLOCK_GATEWAY_MAX_CONNECTIONS: '1000000',
  AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT: '1000000',
});
await measure('B default caps', {});
process.exit(0);
