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
