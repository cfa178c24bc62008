// Each proof records what the attacker (or the client) observed into infra/.proofs/<id>.json, whether it
// passed or not; the suite's globalTeardown (render-proofs.js) renders them into docs/proofs.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { airlockTopology } from '@airlock/topology';

const FINDINGS_DIR = fileURLToPath(new URL('../../../.proofs/', import.meta.url));

/** What a compromise of each service of the topology gives (06-blast-radius): one finding per service. */
function blastRadiusProofs(): { readonly id: `blast-radius-${string}`; readonly title: string }[] {
  return airlockTopology.services.map((service) => ({
    id: `blast-radius-${service.name}`,
    title: `Blast radius: ${service.name}`,
  }));
}

/** The proofs, in the order the report lists them (file NN-<id>.test.ts each). */
export const PROOFS = [
  { id: 'hardening', title: 'Hardening as deployed' },
  { id: 'reachability', title: 'Reachability matrix' },
  { id: 'compromised-image-processor', title: 'Compromised image-processor' },
  { id: 'phantom-token', title: 'Phantom-token invariants on the wire' },
  { id: 'fail-closed', title: 'Fail closed without auth' },
  { id: 'revocation-and-rotation', title: 'Revocation window and key rotation' },
  ...blastRadiusProofs(),
] as const;

export type ProofId = (typeof PROOFS)[number]['id'];

export interface Finding {
  readonly id: ProofId;
  /** The property, as the threat model states it. */
  readonly claim: string;
  /** How the suite tried to break it, as the attacker. */
  readonly method: string;
  /** Markdown: what was observed (tables, lists). */
  readonly observed: string;
  /** Every expectation that did not hold; empty when the claim held. */
  readonly failures: readonly string[];
}

export function recordFinding(finding: Finding): void {
  const order = PROOFS.findIndex((proof) => proof.id === finding.id);
  const title = PROOFS[order]?.title ?? finding.id;
  mkdirSync(FINDINGS_DIR, { recursive: true });
  writeFileSync(
    `${FINDINGS_DIR}${finding.id}.json`,
    `${JSON.stringify({ ...finding, order, title }, null, 2)}\n`,
  );
}

export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    `| ${headers.map(escape).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}
