// Summarises a V8 `.cpuprofile` (node --cpu-prof) by function: self time and inclusive time, as a share of the
// sampled time, so two profiles of different length compare. Used to find the gateway's per-request work.
//
// Run: `node bench/cpuprofile-summary.ts <file.cpuprofile> [top=40] [filter] [requests]` (filter: a substring
// of the function's file, e.g. `gateway/`, for the inclusive table; requests: to print microseconds per request).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, topArgument = '40', filter, requestsArgument] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node bench/cpuprofile-summary.ts <file.cpuprofile> [top] [filter]');
  process.exit(2);
}
const top = Number(topArgument);
const requests = Number(requestsArgument ?? '0');
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

/** A function's name with its file and line, shortened to what tells functions apart. */
function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url
    .replace(/^file:\/\/.*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/^file:\/\/.*\/(apps|packages)\//, '$1/');
  return `${functionName || '(anonymous)'} ${short}${short === '' ? '' : `:${lineNumber + 1}`}`;
}

const byId = new Map<number, ProfileNode>();
const parent = new Map<number, number>();
for (const node of profile.nodes) {
  byId.set(node.id, node);
  for (const child of node.children ?? []) parent.set(child, node.id);
}

const selfMicros = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
  total += delta;
});

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id);
  if (node === undefined) continue;
  const name = label(node);
  self.set(name, (self.get(name) ?? 0) + micros);
  // Each function on the stack once (recursion counted once).
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at);
    if (frame === undefined) break;
    const frameName = label(frame);
    if (seen.has(frameName)) continue;
    seen.add(frameName);
    inclusive.set(frameName, (inclusive.get(frameName) ?? 0) + micros);
  }
}

const idle = [...self].filter(([name]) => name.startsWith('(idle)')).reduce((sum, [, us]) => sum + us, 0);
const busy = total - idle;
const share = (micros: number): string =>
  `${((100 * micros) / busy).toFixed(1).padStart(5)}%` +
  (requests > 0 ? ` ${(micros / requests).toFixed(2).padStart(6)} us/req` : '');
console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy` +
    (requests > 0 ? `, ${requests} requests: ${(busy / requests).toFixed(1)} us busy per request` : ''),
);
console.log(`\nself time, top ${top}:`);
for (const [name, micros] of [...self]
  .filter(([name]) => !name.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`  ${share(micros)}  ${name}`);
/** Where a function lives: the gateway's own code, undici, node's internals (JS), or native/V8 (by name). */
function category(name: string): string {
  if (name.includes('apps/gateway/') || name.includes('packages/')) return 'airlock code (gateway, packages)';
  if (name.includes('undici/')) return 'undici';
  if (name.includes(' node:')) return 'node internals (JS)';
  if (name.startsWith('(garbage collector)')) return 'garbage collector';
  if (name.includes('/node_modules/') || /\w+\/[\w/.-]+\.js:/.test(name)) return 'other libraries';
  return `native: ${name.split(' ')[0] ?? name}`;
}
const categories = new Map<string, number>();
for (const [name, micros] of self) {
  if (name.startsWith('(idle)')) continue;
  const key = category(name);
  categories.set(key, (categories.get(key) ?? 0) + micros);
}
console.log('\nself time by where the code lives:');
for (const [name, micros] of [...categories].sort((a, b) => b[1] - a[1]).slice(0, 14))
  console.log(`  ${share(micros)}  ${name}`);

if (filter !== undefined) {
  console.log(`\ninclusive time of functions in files matching "${filter}", top ${top}:`);
  for (const [name, micros] of [...inclusive]
    .filter(([name]) => name.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`  ${share(micros)}  ${name}`);
}
