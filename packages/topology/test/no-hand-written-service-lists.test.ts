// One source of truth: no list of service names is written by hand outside the topology file. Everything that
// lists services (gateway upstreams, local stack, images, compose, test matrices, docs tables) derives from
// airlockTopology, so a new service cannot be forgotten somewhere. This scans every tracked source file for two
// or more service names written close together (an array, an object's keys, a shell word list).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { airlockTopology } from '../src/airlock-topology.js';

const ROOT = join(import.meta.dirname, '../../..');
const SCANNED = /\.(?:[cm]?[jt]s|sh|ya?ml|json)$/;
/**
 * Files that may list several services, each with its reason. Generated files are rewritten from the topology
 * by `pnpm generate` and drift-checked by `./airlock check`.
 */
const ALLOWED: Readonly<Record<string, string>> = {
  'packages/topology/src/airlock-topology.ts': 'the topology itself: the one place services are listed',
  'infra/compose/docker-compose.yml': 'generated from the topology (infra check:generated)',
  'infra/package.json': 'its service dependencies are generated from the topology (infra check:generated)',
  'pnpm-lock.yaml': 'pnpm writes it from the package manifests',
  'packages/topology/test/no-hand-written-service-lists.test.ts': 'the samples that show this check can fail',
  // Tests that pin a security property of the reference topology on purpose: a changed boundary must change
  // them consciously. None of them enumerates every service, so a new service leaves them true.
  'packages/topology/test/airlock-topology.test.ts': 'pins who may reach auth, payments and the sandbox',
  'packages/topology/test/service-addresses.test.ts': 'pins the derived upstreams of named services',
  'infra/test/render-compose.test.ts': 'pins the networks the reference services get',
  'apps/auth/test/token-exchange.test.ts': 'pins the exchange policy per caller and audience',
  'infra/test/containers/03-phantom-token.test.ts':
    'the hops of the flow this proof drives: order, pay, upload',
  'infra/test/containers/support/stack-launcher.ts':
    'the suite’s short cache and rate settings for two services',
  'infra/src/swarm-proof-environment.ts':
    'the Swarm proofs’ cache, rate and rotation settings for two services',
  'packages/client/src/cli/demo.ts': 'command-line flags for the three services the demo talks to',
  'e2e/test/replicas.postgres.test.ts':
    'the exactly-once proof across replicas: a PostgreSQL database for each of the three that keep one',
  // Example names in library tests, not Airlock's inventory.
  'packages/token-verification/test/require-token.test.ts': 'example callers of a route',
  'packages/testing/test/auth-failure-cases.test.ts': 'example audiences',
};

/** Sibling keys or items this close (in lines) belong to one list. */
const WINDOW_LINES = 12;

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly names: readonly string[];
}

/**
 * Where `text` lists two or more distinct services: an array literal of strings, sibling object keys, YAML list
 * items, or a shell word list. A call that names a caller and a callee is not a list and is not reported.
 */
export function serviceListsIn(file: string, text: string, services: readonly string[]): Finding[] {
  const isService = (word: string): boolean => services.includes(word);
  const findings: Finding[] = [];
  const lines = text.split('\n');
  const report = (line: number, names: readonly string[]): void => {
    const distinct = [...new Set(names.filter(isService))];
    if (distinct.length >= 2) findings.push({ file, line, names: distinct });
  };
  // Array literals of strings: ['a', 'b'] (also across lines).
  for (const match of text.matchAll(
    /\[\s*(?:(['"`])[A-Za-z0-9_-]+\1\s*,\s*)+(['"`])[A-Za-z0-9_-]+\2\s*,?\s*\]/g,
  )) {
    const words = [...match[0].matchAll(/(['"`])([A-Za-z0-9_-]+)\1/g)].map((word) => word[2] ?? '');
    report(text.slice(0, match.index).split('\n').length, words);
  }
  // Sibling keys (`orders: ...` at one indentation) and YAML items (`- orders`).
  const keyed = new Map<string, { line: number; name: string }[]>();
  lines.forEach((content, index) => {
    const key = /^(\s*)(?:(['"]?)([A-Za-z0-9_-]+)\2\s*:(?!:)|-\s+(['"]?)([A-Za-z0-9_-]+)\4\s*$)/.exec(
      content,
    );
    const name = key?.[3] ?? key?.[5];
    if (key === null || name === undefined || !isService(name)) return;
    const group = `${key[1] ?? ''}${key[5] === undefined ? ':' : '-'}`;
    keyed.set(group, [...(keyed.get(group) ?? []), { line: index + 1, name }]);
  });
  for (const hits of keyed.values()) {
    for (const hit of hits) {
      const near = hits.filter((other) => other.line >= hit.line && other.line < hit.line + WINDOW_LINES);
      if (!findings.some((finding) => Math.abs(finding.line - hit.line) < WINDOW_LINES)) {
        report(
          hit.line,
          near.map((other) => other.name),
        );
      }
    }
  }
  // Shell word lists: `for s in a b c` and `names=(a b c)`.
  if (file.endsWith('.sh')) {
    lines.forEach((content, index) => {
      const list = /\bfor\s+\w+\s+in\s+([^;]*)|=\(([^)]*)\)/.exec(content);
      const words = (list?.[1] ?? list?.[2] ?? '')
        .split(/\s+/)
        .map((word) => word.replace(/^['"]|['"]$/g, ''));
      report(index + 1, words);
    });
  }
  return findings;
}

function trackedFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return listed.split('\0').filter((file) => SCANNED.test(file) && !file.includes('node_modules/'));
}

describe('service lists', () => {
  const services = airlockTopology.services.map((service) => service.name);

  it('finds a hand-written list in each of its forms (the check can fail)', () => {
    expect(serviceListsIn('a.ts', `const all = ['orders', 'payments'];`, services)).toHaveLength(1);
    expect(serviceListsIn('a.ts', `const x = {\n  gateway: 1,\n  auth: 2,\n};`, services)).toHaveLength(1);
    expect(serviceListsIn('a.sh', 'for s in auth orders payments; do echo $s; done', services)).toHaveLength(
      1,
    );
    expect(serviceListsIn('a.ts', `serviceNamed(topology, 'orders');`, services)).toEqual([]);
  });

  it('appear nowhere outside the topology file and generated files', () => {
    const findings = trackedFiles()
      .filter((file) => ALLOWED[file] === undefined)
      .flatMap((file) => {
        let text: string;
        try {
          text = readFileSync(join(ROOT, file), 'utf8');
        } catch {
          return []; // deleted in the working tree
        }
        return serviceListsIn(file, text, services);
      })
      .map((finding) => `${finding.file}:${String(finding.line)} names ${finding.names.join(', ')}`);
    expect(findings).toEqual([]);
  });
});
