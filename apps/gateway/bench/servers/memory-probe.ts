// Bench: preloaded (`--import`) into a server under test by bench/memory.bench.ts. On SIGUSR2 it runs a full
// garbage collection and writes where the process's resident memory is, to `$MEMORY_PROBE_DIR/<pid>.json`:
// file-backed pages (the node binary and its libraries, shared with every node process), anonymous pages, and
// of those what V8's heap holds (used after the collection, and its spaces) and what is native (malloc, stacks).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const dir = process.env.MEMORY_PROBE_DIR ?? '';
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

export interface MemoryProbe {
  readonly rssMb: number;
  readonly fileMb: number;
  readonly anonymousMb: number;
  readonly v8PhysicalMb: number;
  readonly v8UsedMb: number;
  readonly spacesMb: Record<string, number>;
}

function kb(rollup: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? Number.NaN);
}

const mb = (bytes: number): number => bytes / 1048576;

process.on('SIGUSR2', () => {
  collectGarbage();
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const spaces = getHeapSpaceStatistics();
  const probe: MemoryProbe = {
    rssMb: kb(rollup, 'Rss') / 1024,
    fileMb: (kb(rollup, 'Rss') - kb(rollup, 'Anonymous')) / 1024,
    anonymousMb: kb(rollup, 'Anonymous') / 1024,
    v8PhysicalMb: mb(spaces.reduce((sum, space) => sum + space.physical_space_size, 0)),
    v8UsedMb: mb(spaces.reduce((sum, space) => sum + space.space_used_size, 0)),
    spacesMb: Object.fromEntries(spaces.map((space) => [space.space_name, mb(space.physical_space_size)])),
  };
  writeFileSync(join(dir, `${String(process.pid)}.json`), JSON.stringify(probe));
});
