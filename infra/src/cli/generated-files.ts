// Writes generated files, or with `--check` lists the ones that differ from what the generator renders now and
// fails: the one drift check behind `pnpm generate` / `./airlock check` for every generator of infra.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GeneratedFile {
  /** Relative to infra/. */
  readonly path: string;
  readonly render: (current: string | undefined, path: string) => Promise<string> | string;
}

export const infraRoot = new URL('../../', import.meta.url);

export function isCheck(): boolean {
  return process.argv.includes('--check');
}

/** Returns the paths (under infra/) that are out of date in check mode; writes them otherwise. */
export async function writeOrCheck(files: readonly GeneratedFile[], check: boolean): Promise<string[]> {
  const stale: string[] = [];
  for (const file of files) {
    const path = fileURLToPath(new URL(file.path, infraRoot));
    const current = readOrUndefined(path);
    const generated = await file.render(current, path);
    if (generated === current) continue;
    if (check) {
      stale.push(`infra/${file.path}`);
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, generated);
      console.log(`wrote infra/${file.path}`);
    }
  }
  return stale;
}

export function exitIfStale(stale: readonly string[]): void {
  if (stale.length > 0) {
    console.error(`generated files out of date: ${stale.join(', ')}: run \`pnpm generate\`.`);
    process.exit(1);
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
