// Runs inside the proof's copy of the repository (its path is the one argument), on that copy's built packages:
// starts the local stack on free loopback ports, signs alice in through the gateway like the CLI does, calls the
// generated service's example route through the gateway, and replays a JWT minted for it at the other business
// services. Prints one JSON line of what it saw; the proof test asserts on it. Stops the stack whatever happens.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, name = 'inventory', edgePrefix = '/api/inventory'] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(root, path)).href);
const { startLocalStack, freePort } = await load('packages/local-stack/dist/start-local-stack.js');
const { airlockTopology, allowedCallsTo } = await load('packages/topology/dist/index.js');
const { discoverPublicClient, signInHeadless } = await load('packages/client/dist/public-client.js');
const { startLoopbackCallback } = await load('packages/client/dist/loopback-callback.js');
const { createClientAssertion, ensureWorkloadKeyPair, tokenExchangeForm } = await load(
  'packages/workload-identity/dist/index.js',
);

const dataDir = await mkdtemp(join(tmpdir(), 'airlock-gen-proof-'));
const password = randomBytes(18).toString('base64url');
const ports = {};
for (const service of airlockTopology.services) ports[service.name] = await freePort();
const output = [];
let stack;
let callback;
const result = {};
try {
  stack = await startLocalStack({
    rootDir: root,
    dataDir,
    ports,
    env: { AIRLOCK_DEMO_PASSWORD: password, LOG_LEVEL: 'info' },
    onOutput: (service, line) => output.push(`[${service}] ${line}`),
  });
  result.services = Object.keys(stack.urls).sort();
  const issuer = `${stack.urls.gateway}/auth`;
  callback = await startLoopbackCallback();
  const { tokens } = await signInHeadless(await discoverPublicClient(issuer), {
    redirectUri: callback.redirectUri,
    username: 'alice',
    password,
    scope: 'openid orders images',
  });
  const opaque = tokens.access_token;
  result.opaqueIsJwt = opaque.split('.').length === 3;

  const call = async (url, token, init = {}) => {
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await response.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: response.status, body };
  };
  result.edgeWithoutToken = await call(`${stack.urls.gateway}${edgePrefix}`, undefined);
  result.edgeWithToken = await call(`${stack.urls.gateway}${edgePrefix}`, opaque);

  // The JWT auth mints for the service, exchanged as the gateway does (its own workload key, the user's token).
  const key = await ensureWorkloadKeyPair({ dataDir, service: 'gateway' });
  const assertion = await createClientAssertion({
    service: 'gateway',
    privateKey: key.privateKey,
    kid: key.kid,
    audience: issuer,
  });
  const exchanged = await fetch(`${stack.urls.auth}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenExchangeForm({ service: 'gateway', assertion, subjectToken: opaque, audience: name }),
  });
  const jwt = (await exchanged.json()).access_token;
  result.exchangeStatus = exchanged.status;
  result.jwtAtItsService = await call(`${stack.urls[name]}/${name}`, jwt);
  // Every other service that takes user tokens, on each route the topology gives it: the JWT is refused.
  result.replays = {};
  for (const service of airlockTopology.services) {
    if (service.name === name) continue;
    const routes = allowedCallsTo(airlockTopology, service.name).filter((route) => route.as === 'user');
    if (routes.length === 0) continue;
    const { method, path } = routes[0];
    const url = `${stack.urls[service.name]}${path.replace(/:[A-Za-z_]+/g, 'x')}`;
    result.replays[service.name] = await call(url, jwt, {
      method,
      ...(method === 'GET' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }),
    });
  }
} catch (error) {
  result.error = error instanceof Error ? error.message : String(error);
  result.output = output.slice(-40);
} finally {
  await callback?.close();
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
