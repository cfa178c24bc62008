// The README's route table is hand-written prose next to generated sections: this keeps it honest against the
// topology, so a new edge route cannot be added without the table saying so.
import { readFileSync } from 'node:fs';
import { expect, test } from '@jest/globals';
import { airlockTopology } from '@airlock/topology';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('the README lists every edge route of the topology, and no other', () => {
  const rows = [
    ...readme.matchAll(/^\| `(\/[a-z/-]*)`\s+\| ([a-z-]+)\s+\| `([a-z/-]*)`\s+\| `(user|public)`/gm),
  ].map((match) => ({ prefix: match[1], to: match[2], upstreamPrefix: match[3], as: match[4] }));
  expect(rows).toEqual(
    airlockTopology.edgeRoutes.map((route) => ({
      prefix: route.prefix,
      to: route.to,
      upstreamPrefix: route.upstreamPrefix,
      as: route.as,
    })),
  );
});
