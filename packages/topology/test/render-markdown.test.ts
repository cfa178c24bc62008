import { describe, expect, it } from '@jest/globals';
import { defineTopology } from '../src/define-topology.js';
import { replaceGeneratedSection } from '../src/generated-section.js';
import { renderMermaid, renderTopologyMarkdown } from '../src/render-markdown.js';
import { renderServiceAccessMarkdown } from '../src/render-service-access.js';
import { validSpec } from './spec-fixture.js';

describe('renderTopologyMarkdown', () => {
  const topology = defineTopology(validSpec());

  it('draws each zone as a subgraph and each call as an edge', () => {
    const mermaid = renderMermaid(topology);
    expect(mermaid).toContain('subgraph zone_box["box (sandbox)"]');
    expect(mermaid).toContain('risky["risky :8002"]');
    expect(mermaid).toContain('api -->|"user"| safe');
    expect(mermaid).toContain('clients -->|"opaque token"| gw');
  });

  it('lists admitted callers apart from members', () => {
    expect(renderTopologyMarkdown(topology)).toContain(
      '| vault-api | vault (enclave) | admits api | yes | safe, api |',
    );
  });

  it('is deterministic', () => {
    expect(renderTopologyMarkdown(topology)).toBe(renderTopologyMarkdown(defineTopology(validSpec())));
  });
});

describe('replaceGeneratedSection', () => {
  const begin = '<!-- generated:x:begin (do not edit; regenerate with `pnpm generate`) -->';
  const end = '<!-- generated:x:end -->';

  it('replaces only what stands between the markers', () => {
    const document = `intro\n${begin}\nold\n${end}\noutro\n`;
    expect(replaceGeneratedSection(document, 'x', 'new')).toBe(
      `intro\n${begin}\n<!-- prettier-ignore-start -->\nnew\n<!-- prettier-ignore-end -->\n${end}\noutro\n`,
    );
  });

  it('fails when the markers are missing', () => {
    expect(() => replaceGeneratedSection('no markers', 'x', 'new')).toThrow('has no section "x"');
  });
});

describe('renderServiceAccessMarkdown', () => {
  const topology = defineTopology(validSpec());

  it('lists the callers a service accepts, its zones, and the calls it makes', () => {
    const markdown = renderServiceAccessMarkdown(topology, 'safe');
    expect(markdown).toContain('Zones: `vault` (enclave). Port: 8003.');
    expect(markdown).toContain('| api | user | `POST /vault` |');
  });

  it('marks zones a service joins only by admission', () => {
    expect(renderServiceAccessMarkdown(topology, 'api')).toContain('`vault` (admitted)');
  });
});
