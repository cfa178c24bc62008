// The code the suite runs inside containers (with `docker exec`, as the container's own user), as an attacker
// who got code execution there would: Node is the only program in the image, so every probe is a Node script.
// Each reads its input as JSON from argv[1] and prints one JSON line.

/**
 * The probes' one TCP connect (`tcp(target)`, with `connect` from node:net imported by the script): 1 s timeout;
 * the target with its outcome, open, refused, timeout or the error code.
 */
const TCP_CONNECT = `const tcp = (target) => new Promise((resolve) => {
  const socket = connect({ host: target.host, port: target.port });
  const done = (outcome) => { socket.destroy(); resolve({ ...target, outcome }); };
  socket.setTimeout(1000, () => done('timeout'));
  socket.once('connect', () => done('open'));
  socket.once('error', (error) => done(error.code === 'ECONNREFUSED' ? 'refused' : (error.code ?? 'error')));
});`;

/** TCP connects to each target with a 1 s timeout: open, refused, timeout or the error code. */
export const TCP_PROBE = `
import { connect } from 'node:net';
const targets = JSON.parse(process.argv[1]);
${TCP_CONNECT}
console.log(JSON.stringify(await Promise.all(targets.map(tcp))));
`;

/**
 * TCP_PROBE for a container whose default route leaves the machine (a Swarm task on a non-internal overlay:
 * its default route goes through docker_gwbridge to the node, which has no route to the overlay subnets and
 * would send the packets on to its own default gateway). A target that only the default route covers is not
 * dialled: its outcome is 'off-link' (no network of the container holds it). Every other target is probed as
 * TCP_PROBE does. The container's routes come from /proc/net/route (IPv4, little-endian hex).
 */
export const TCP_PROBE_ON_LINK = `
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
const targets = JSON.parse(process.argv[1]);
const hex = (value) => Number.parseInt(value, 16) >>> 0;
const routes = readFileSync('/proc/net/route', 'utf8').trim().split('\\n').slice(1)
  .map((line) => line.trim().split(/\\s+/))
  .map(([, destination, , , , , , mask]) => ({ destination: hex(destination), mask: hex(mask) }))
  .filter((route) => route.mask !== 0);
const asNumber = (ip) => ip.split('.').reduce((sum, part, index) => sum + Number(part) * 2 ** (8 * index), 0) >>> 0;
const onLink = (ip) => routes.some((route) => ((asNumber(ip) & route.mask) >>> 0) === route.destination);
${TCP_CONNECT}
const probe = (target) =>
  target.host !== '127.0.0.1' && !onLink(target.host) ? Promise.resolve({ ...target, outcome: 'off-link' }) : tcp(target);
console.log(JSON.stringify(await Promise.all(targets.map(probe))));
`;

/**
 * The connection URL a service was given in a file (its `<NAME>_FILE` variable), read as the service itself can.
 * Input: { variable }. Prints { url }; the suite keeps it in memory and never writes it into the report.
 */
export const READ_URL_FILE = `
import { readFileSync } from 'node:fs';
const { variable } = JSON.parse(process.argv[1]);
console.log(JSON.stringify({ url: readFileSync(process.env[variable], 'utf8').trim() }));
`;

/**
 * Signs in to a PostgreSQL server with a connection URL, with the pg client the service itself uses (resolved
 * from service-kit, which depends on it): 'open' after a query succeeds, else the server's SQLSTATE (class 28:
 * refused sign-in) or the connection error's code. Input: { url }.
 */
export const POSTGRES_SIGN_IN = `
import { createRequire } from 'node:module';
const { url } = JSON.parse(process.argv[1]);
const { Client } = createRequire(import.meta.resolve('@airlock/service-kit/database'))('pg');
const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
let outcome = 'open';
try {
  await client.connect();
  await client.query('SELECT 1');
} catch (error) {
  outcome = error.code ?? 'error';
}
await client.end().catch(() => undefined);
console.log(JSON.stringify({ outcome }));
`;

/** What the process can do to its own container: identity, capabilities, writable places, tools. */
export const SELF_INSPECTION = `
import { accessSync, constants, existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
const status = Object.fromEntries(readFileSync('/proc/self/status', 'utf8').split('\\n')
  .map((line) => line.split(':\\t')).filter((pair) => pair.length === 2));
const tryWrite = (path) => {
  try { writeFileSync(path, 'x'); rmSync(path); return 'written'; } catch (error) { return error.code; }
};
const tmpMount = readFileSync('/proc/mounts', 'utf8').split('\\n').find((line) => line.split(' ')[1] === '/tmp') ?? '';
console.log(JSON.stringify({
  uid: process.getuid(), gid: process.getgid(),
  capEff: status.CapEff?.trim(), capBnd: status.CapBnd?.trim(), noNewPrivs: status.NoNewPrivs?.trim(),
  seccomp: status.Seccomp?.trim(),
  writeApp: tryWrite('/app/dist/pwned.js'), writeEtc: tryWrite('/etc/pwned'), writeRoot: tryWrite('/pwned'),
  writeTmp: tryWrite('/tmp/pwned'),
  tmpMountOptions: tmpMount.split(' ')[3] ?? '',
  tools: ['/bin/sh', '/bin/bash', '/bin/busybox', '/usr/bin/curl', '/usr/bin/wget', '/usr/bin/apt-get', '/sbin/apk']
    .filter((path) => existsSync(path)),
}));
`;

/**
 * An HTTP request made from inside a container (e.g. a stolen token replayed at a neighbour): status and body.
 * Input: { url, method, headers, bodyBase64 }.
 */
export const HTTP_REQUEST = `
const { url, method, headers, bodyBase64 } = JSON.parse(process.argv[1]);
try {
  const response = await fetch(url, {
    method, headers, body: bodyBase64 ? Buffer.from(bodyBase64, 'base64') : undefined,
    signal: AbortSignal.timeout(5000),
  });
  console.log(JSON.stringify({ status: response.status, body: (await response.text()).slice(0, 500) }));
} catch (error) {
  console.log(JSON.stringify({ status: 0, body: String(error.cause?.code ?? error.name) }));
}
`;

/**
 * Runs in the gateway's container: the token exchange the gateway makes for every request it forwards,
 * signed with the gateway's own workload key (which never leaves its container). The suite uses it to hold
 * exactly the JWT that a given service receives, e.g. the one image-processor gets with every upload.
 * Input: { subjectToken, audience, issuer, authUrl, privateKeyFile }.
 */
export const EXCHANGE_AS_GATEWAY = `
import { readFileSync } from 'node:fs';
import { createClientAssertion, tokenExchangeForm } from '@airlock/workload-identity';
const { subjectToken, audience, issuer, authUrl, privateKeyFile } = JSON.parse(process.argv[1]);
const jwk = JSON.parse(readFileSync(privateKeyFile, 'utf8'));
const privateKey = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
const assertion = await createClientAssertion({ service: 'gateway', privateKey, kid: jwk.kid, audience: issuer });
const response = await fetch(authUrl + '/auth/token', {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: tokenExchangeForm({ service: 'gateway', assertion, subjectToken, audience }),
  signal: AbortSignal.timeout(5000),
});
const body = await response.json().catch(() => ({}));
console.log(JSON.stringify({ status: response.status, accessToken: body.access_token ?? null, error: body.error ?? null }));
`;

/** One probe of SANDBOX_ATTACK: a name it looked up, or an address it connected to. */
export interface SandboxProbe {
  readonly name: string;
  readonly host?: string;
  readonly port?: number;
  readonly zone?: string;
  readonly outcome?: string;
  readonly answer?: string | string[];
}

/** What SANDBOX_ATTACK prints. */
export interface SandboxAttackReport {
  readonly files: number;
  readonly found: string[];
  readonly environment: string[];
  readonly resolved: SandboxProbe[];
  readonly looked: SandboxProbe[];
  readonly connections: SandboxProbe[];
  readonly mounts: { target: string; type: string; writable: boolean }[];
}

/**
 * The compromised image-processor: what code running in it can find and reach. Input: { names, addresses
 * (of the other zones' services), hostGateway, ports, resolver }. Lists credential-looking files and
 * environment variables, resolves the other services' names, connects to their addresses and to the host.
 */
export const SANDBOX_ATTACK = `
import { readdirSync, readFileSync, lstatSync } from 'node:fs';
import { connect } from 'node:net';
import { promises as dns, lookup } from 'node:dns';
const input = JSON.parse(process.argv[1]);

const CREDENTIAL_NAME = /(\\.jwk(\\.json)?|\\.pem|\\.key|\\.p12|\\.pfx|\\.db|\\.sqlite|\\.env|password|secret|token|credential|private)/i;
const CODE_FILE = /\\.(c?js|mjs|d\\.ts|map|json|md|node|so(\\.\\d+)*)$/;
const found = [];
let files = 0;
const walk = (dir) => {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries) {
    const path = dir === '/' ? '/' + name : dir + '/' + name;
    if (['/proc', '/sys', '/dev'].includes(path)) continue;
    let stat;
    try { stat = lstatSync(path); } catch { continue; }
    if (stat.isDirectory()) { walk(path); continue; }
    if (!stat.isFile()) continue;
    files += 1;
    // Library code under node_modules is named after what it does (jwt.js, token.js): not a credential.
    if (CREDENTIAL_NAME.test(name) && !(path.includes('/node_modules/') && CODE_FILE.test(name))) found.push(path);
  }
};
walk('/');

const environment = Object.entries(process.env)
  .filter(([name, value]) => /PASSWORD|SECRET|TOKEN|PRIVATE|CREDENTIAL|KEY/i.test(name) || /eyJ|BEGIN [A-Z ]*PRIVATE/.test(value))
  .map(([name]) => name);

const resolver = new dns.Resolver({ timeout: 1500, tries: 1 });
const resolveName = async (name) => {
  try { return { name, answer: await resolver.resolve4(name) }; } catch (error) { return { name, answer: error.code }; }
};
const lookupName = (name) => new Promise((resolve) =>
  lookup(name, (error, address) => resolve({ name, answer: error ? error.code : address })));
${TCP_CONNECT}

const [resolved, looked, connections] = await Promise.all([
  Promise.all(input.names.map(resolveName)),
  Promise.all(input.names.map(lookupName)),
  Promise.all([...input.addresses, ...input.ports.map((port) => ({ name: 'host', host: input.hostGateway, port }))].map(tcp)),
]);
const mounts = readFileSync('/proc/mounts', 'utf8').split('\\n').filter(Boolean).map((line) => line.split(' '))
  .filter(([, target, type]) => !['proc', 'sysfs', 'cgroup', 'cgroup2', 'mqueue', 'devpts'].includes(type) && !target.startsWith('/proc') && !target.startsWith('/sys') && !target.startsWith('/dev'))
  .map(([, target, type, options]) => ({ target, type, writable: options.split(',').includes('rw') }));
console.log(JSON.stringify({ files, found, environment, resolved, looked, connections, mounts }));
`;

/**
 * A compromised service's attack with what it holds (the blast-radius proofs). Input: { service, targets
 * [{ name, network, host, port }], keyFile, files, tokenUrl, issuer, exchanges [{ label, subjectToken,
 * audience, scope?, authorizationDetails? }], requests [{ label, url, method, headers, body? }] }.
 * TCP-connects to every target; reports which of `files` exist and are readable (never their contents: only
 * whether a JWK holds a private part); signs a client assertion as the service with its own workload key (or,
 * when it has none, with a key it just made) and asks auth for each exchange; makes each request. Plain
 * WebCrypto, so it runs in every image whatever the service's own dependencies are.
 */
export const BLAST_RADIUS_ATTACK = `
import { readFileSync, statSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
const input = JSON.parse(process.argv[1]);

${TCP_CONNECT}

const inspectFile = (path) => {
  let stat;
  try { stat = statSync(path); } catch (error) { return { path, exists: false, readable: false, detail: error.code }; }
  if (stat.isDirectory()) {
    try { return { path, exists: true, readable: true, detail: 'folder: ' + readdirSync(path).length + ' entries' }; }
    catch (error) { return { path, exists: true, readable: false, detail: error.code }; }
  }
  try {
    const text = readFileSync(path, 'utf8');
    let detail = stat.size + ' bytes';
    try {
      // Every JWK anywhere in the document (a key file, a key set, a rotation state holding several).
      const jwks = [];
      const visit = (value) => {
        if (value === null || typeof value !== 'object') return;
        if (typeof value.kty === 'string') { jwks.push(value); return; }
        Object.values(value).forEach(visit);
      };
      visit(JSON.parse(text));
      if (jwks.length > 0) {
        detail += ', ' + jwks.filter((jwk) => typeof jwk.d === 'string').length + ' private key(s) of ' + jwks.length;
      }
    } catch { /* not JSON: a database or a password file */ }
    return { path, exists: true, readable: true, detail };
  } catch (error) {
    return { path, exists: true, readable: false, detail: error.code };
  }
};

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const signingKey = async () => {
  try {
    const jwk = JSON.parse(readFileSync(input.keyFile, 'utf8'));
    const key = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    return { key, kid: jwk.kid, own: true };
  } catch {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    return { key: pair.privateKey, kid: 'made-by-the-attacker', own: false };
  }
};
const assertionWith = async ({ key, kid }) => {
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'ES256', kid, typ: 'JWT' });
  const body = b64({ iss: input.service, sub: input.service, aud: input.issuer, jti: randomBytes(32).toString('base64url'), iat: now, exp: now + 60 });
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, Buffer.from(head + '.' + body));
  return head + '.' + body + '.' + Buffer.from(signature).toString('base64url');
};
const claimsOf = (jwt) => { try { return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')); } catch { return null; } };

const key = await signingKey();
const exchange = async (request) => {
  const form = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: request.subjectToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    audience: request.audience,
    client_id: input.service,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await assertionWith(key),
  });
  if (request.scope !== undefined) form.set('scope', request.scope);
  if (request.authorizationDetails !== undefined) form.set('authorization_details', JSON.stringify(request.authorizationDetails));
  try {
    const response = await fetch(input.tokenUrl, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form,
      signal: AbortSignal.timeout(5000),
    });
    const body = await response.json().catch(() => ({}));
    const claims = typeof body.access_token === 'string' ? claimsOf(body.access_token) : null;
    return { label: request.label, audience: request.audience, status: response.status, error: body.error ?? null, accessToken: body.access_token ?? null, claims };
  } catch (error) {
    return { label: request.label, audience: request.audience, status: 0, error: String(error.cause?.code ?? error.name), accessToken: null, claims: null };
  }
};
const send = async (request) => {
  try {
    const response = await fetch(request.url, {
      method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(5000),
    });
    return { label: request.label, status: response.status, body: (await response.text()).slice(0, 500) };
  } catch (error) {
    return { label: request.label, status: 0, body: String(error.cause?.code ?? error.name) };
  }
};

const connections = await Promise.all(input.targets.map(tcp));
// A folder is listed with each of its entries (one level: a service's data folder holds its keys and database).
const expand = (path) => {
  const row = inspectFile(path);
  if (!row.detail?.startsWith('folder: ')) return [row];
  return [row, ...readdirSync(path).sort().map((name) => inspectFile(path + '/' + name))];
};
const files = input.files.flatMap(expand);
const exchanges = [];
for (const request of input.exchanges) exchanges.push(await exchange(request));
const answers = [];
for (const request of input.requests) answers.push(await send(request));
console.log(JSON.stringify({ ownKey: key.own, connections, files, exchanges, answers }));
`;
