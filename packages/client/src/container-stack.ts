// For the demo against the zoned stack in containers (`./airlock stack:up`): finds a service's container by
// its Compose labels (Compose v1 and v2 set the same ones) and runs Node code inside it with `docker exec`,
// as an attacker who owns that container would. The images hold no shell, only Node.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { parseDemoPasswords } from './demo-passwords.js';

const execFileAsync = promisify(execFile);

const COMPOSE_PROJECT = process.env.AIRLOCK_COMPOSE_PROJECT ?? 'airlock';
const NODE_IN_IMAGE = '/nodejs/bin/node';

export function containerOf(service: string): string {
  const found = spawnSync(
    'docker',
    [
      'ps',
      '--quiet',
      '--filter',
      `label=com.docker.compose.project=${COMPOSE_PROJECT}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
    ],
    { encoding: 'utf8' },
  );
  const id = found.stdout.trim().split('\n')[0] ?? '';
  if (found.status !== 0 || id === '') {
    throw new Error(
      `no running container for ${service} in Compose project "${COMPOSE_PROJECT}" (./airlock stack:up)`,
    );
  }
  return id;
}

/**
 * Runs an ES module given as text inside the service's container (cwd /app) and parses its JSON output.
 * Asynchronous on purpose: a blocked event loop would miss the gateway closing idle keep-alive connections.
 */
export async function runInContainer(
  service: string,
  moduleSource: string,
  input: unknown,
): Promise<unknown> {
  const { stdout } = await execFileAsync(
    'docker',
    [
      'exec',
      '--workdir',
      '/app',
      containerOf(service),
      NODE_IN_IMAGE,
      '--input-type=module',
      '-e',
      moduleSource,
      JSON.stringify(input),
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
  return JSON.parse(stdout) as unknown;
}

/** Inside the sandbox: can code there open a connection to orders at all? */
export const CONNECT_TO_ORDERS = `
import { connect } from 'node:net';
const { host, port } = JSON.parse(process.argv[1]);
const outcome = await new Promise((resolve) => {
  const socket = connect({ host, port, timeout: 1500 });
  socket.once('connect', () => { socket.destroy(); resolve('connected'); });
  socket.once('timeout', () => { socket.destroy(); resolve('timed out'); });
  socket.once('error', (error) => resolve(error.code ?? 'error'));
});
console.log(JSON.stringify({ outcome }));
`;

/**
 * Inside the gateway: obtains exactly the token image-processor receives with every upload (the gateway's own
 * exchange, with its own key), then presents it to orders, which the gateway can reach.
 */
export const REPLAY_IMAGE_TOKEN_AT_ORDERS = `
import { readFileSync } from 'node:fs';
import { createClientAssertion, tokenExchangeForm } from '@airlock/workload-identity';
const { subjectToken, issuer } = JSON.parse(process.argv[1]);
const jwk = JSON.parse(readFileSync('/data/gateway/workload-key.private.jwk.json', 'utf8'));
const privateKey = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
const assertion = await createClientAssertion({ service: 'gateway', privateKey, kid: jwk.kid, audience: issuer });
const exchanged = await fetch(process.env.AIRLOCK_AUTH_URL + '/auth/token', {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: tokenExchangeForm({ service: 'gateway', assertion, subjectToken, audience: 'image-processor' }),
  signal: AbortSignal.timeout(5000),
});
const token = (await exchanged.json()).access_token;
const replayed = await fetch(process.env.AIRLOCK_ORDERS_URL + '/orders', {
  headers: { authorization: 'Bearer ' + token },
  signal: AbortSignal.timeout(5000),
});
console.log(JSON.stringify({ exchange: exchanged.status, orders: replayed.status }));
`;

/** Each demo user's password, read from auth's data volume (never from its log). */
export function demoPasswordsFromContainer(): Readonly<Record<string, string>> {
  const read = spawnSync(
    'docker',
    [
      'exec',
      containerOf('auth'),
      NODE_IN_IMAGE,
      '-e',
      `process.stdout.write(require('node:fs').readFileSync('/data/auth/demo-passwords.json', 'utf8'))`,
    ],
    { encoding: 'utf8' },
  );
  if (read.status !== 0 || read.stdout === '')
    throw new Error('could not read the demo passwords from the auth container');
  return parseDemoPasswords(read.stdout);
}
