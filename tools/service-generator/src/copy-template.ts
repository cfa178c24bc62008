// Copies the service template (templates/service) to apps/<name>: every file, with `template-service` renamed in
// contents and file names in each of its spellings, its test topology replaced by Airlock's (where the service
// is now declared), and the template-only note of its README dropped.
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { format, getFileInfo, resolveConfig } from 'prettier';

import { GeneratorError } from './generator-error.js';

export const TEMPLATE_NAME = 'template-service';
/** Build output and local state of the template that a new service must not inherit. */
const NOT_COPIED = new Set(['node_modules', 'dist', '.turbo', 'coverage', '.jest-results.json']);
const TEMPLATE_ONLY = /<!-- template-only:begin -->[\s\S]*?<!-- template-only:end -->\n\n/g;

/** The service's own topology module: Airlock's, where the generator has just declared it. */
export function topologyModuleOf(name: string): string {
  return [
    `// The topology ${name} lives in: Airlock's (packages/topology/src/airlock-topology.ts), where it is declared.`,
    "export { airlockTopology as topology } from '@airlock/topology';",
    '',
  ].join('\n');
}

/** `template-service` -> `name` in its kebab, camel, Pascal and constant spellings. */
export function renameIn(text: string, name: string): string {
  const words = name.split('-');
  const pascal = words.map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`).join('');
  const camel = `${pascal.charAt(0).toLowerCase()}${pascal.slice(1)}`;
  return text
    .replaceAll(TEMPLATE_NAME, name)
    .replaceAll('templateService', camel)
    .replaceAll('TemplateService', pascal)
    .replaceAll('TEMPLATE_SERVICE', words.join('_').toUpperCase());
}

/** Copies `templateDir` to `targetDir` as the service `name`; `targetDir` must not exist. */
export function copyTemplate(templateDir: string, targetDir: string, name: string): void {
  if (existsSync(targetDir)) throw new GeneratorError('name_taken', `${targetDir} already exists`);
  cpSync(templateDir, targetDir, {
    recursive: true,
    filter: (source) => !NOT_COPIED.has(source.slice(source.lastIndexOf('/') + 1)),
  });
  renameTree(targetDir, name);
  writeFileSync(join(targetDir, 'src', 'topology.ts'), topologyModuleOf(name));
  const readme = join(targetDir, 'README.md');
  writeFileSync(readme, readFileSync(readme, 'utf8').replace(TEMPLATE_ONLY, ''));
  const manifest = join(targetDir, 'package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
  pkg['description'] = `${name}: made with ./airlock gen:service; say here what it does.`;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
}

/** Formats every file prettier knows under `dir` (a longer or shorter name shifts tables and wrapped lines). */
export async function formatTree(dir: string): Promise<void> {
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) continue;
    const { ignored, inferredParser } = await getFileInfo(path);
    if (ignored || inferredParser === null) continue;
    const text = readFileSync(path, 'utf8');
    const formatted = await format(text, { ...((await resolveConfig(path)) ?? {}), filepath: path });
    if (formatted !== text) writeFileSync(path, formatted);
  }
}

function renameTree(dir: string, name: string): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const renamed = join(dir, renameIn(entry, name));
    if (renamed !== path) renameSync(path, renamed);
    if (statSync(renamed).isDirectory()) {
      renameTree(renamed, name);
    } else {
      const text = readFileSync(renamed, 'utf8');
      const replaced = renameIn(text, name);
      if (replaced !== text) writeFileSync(renamed, replaced);
    }
  }
}

/** Removes a half-made copy (when a later step of the copy itself failed). */
export function removeCopy(targetDir: string): void {
  rmSync(targetDir, { recursive: true, force: true });
}
