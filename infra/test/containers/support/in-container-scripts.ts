// The code the suite runs inside containers (with `docker exec`, as the container's own user), as an attacker
// who got code execution there would: Node is the only program in the image, so every probe is a Node script.
// Each reads its input as JSON from argv[1] and prints one JSON line.

/** TCP connects to each target with a 1 s timeout: open, refused, timeout or the error code. */
export const TCP_PROBE = `
import { connect } from 'node:net';
const targets = JSON.parse(process.argv[1]);
const probe = (target) => new Promise((resolve) => {
  const socket = connect({ host: target.host, port: target.port });
  const done = (outcome) => { socket.destroy(); resolve({ ...target, outcome }); };
  socket.setTimeout(1000, () => done('timeout'));
  socket.once('connect', () => done('open'));
  socket.once('error', (error) => done(error.code === 'ECONNREFUSED' ? 'refused' : (error.code ?? 'error')));
});
console.log(JSON.stringify(await Promise.all(targets.map(probe))));
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
const tcp = (target) => new Promise((resolve) => {
  const socket = connect({ host: target.host, port: target.port });
  const done = (outcome) => { socket.destroy(); resolve({ ...target, outcome }); };
  socket.setTimeout(1000, () => done('timeout'));
  socket.once('connect', () => done('open'));
  socket.once('error', (error) => done(error.code === 'ECONNREFUSED' ? 'refused' : (error.code ?? 'error')));
});

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
