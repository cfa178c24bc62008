// Renders the topology as Markdown: a Mermaid diagram of zones and calls and a table of networks.
// docs/architecture.md embeds this output between markers; CI fails when the two drift apart.
import type { CallPrincipal, Topology } from './model.js';
import { networksOf } from './networks.js';
import { storeInstancesOf } from './stores.js';

export function renderTopologyMarkdown(topology: Topology): string {
  return [
    '```mermaid',
    renderMermaid(topology),
    '```',
    '',
    renderNetworkTable(topology),
    '',
    renderCallTable(topology),
    ...(storeInstancesOf(topology).length === 0 ? [] : ['', renderStoreTable(topology)]),
  ].join('\n');
}

export function renderMermaid(topology: Topology): string {
  const lines = ['flowchart LR', '  clients(["Clients"])'];
  for (const zone of topology.zones) {
    const homed = topology.services.filter((service) => service.zones[0] === zone.name);
    lines.push(`  subgraph zone_${nodeId(zone.name)}["${zone.name} (${zone.kind})"]`);
    for (const service of homed)
      lines.push(`    ${nodeId(service.name)}["${service.name} :${service.port}"]`);
    lines.push('  end');
  }
  const edge = topology.edgeRoutes[0];
  if (edge !== undefined) {
    const entry = topology.services.find((service) =>
      topology.zones.some((zone) => zone.kind === 'edge' && service.zones.includes(zone.name)),
    );
    if (entry !== undefined) lines.push(`  clients -->|"opaque token"| ${nodeId(entry.name)}`);
  }
  for (const [pair, principals] of callsByPair(topology)) {
    const [from, to] = pair.split(' ') as [string, string];
    const arrow = principals.every((principal) => principal === 'public') ? '-.->' : '-->';
    lines.push(`  ${nodeId(from)} ${arrow}|"${principals.join(', ')}"| ${nodeId(to)}`);
  }
  // The stores in the container stack: each instance on a data network of its own with its users.
  const instances = storeInstancesOf(topology);
  if (instances.length > 0) {
    lines.push('  subgraph stores["data stores (container stack)"]');
    for (const instance of instances)
      lines.push(`    ${nodeId(instance.name)}[("${instance.name} :${instance.port}")]`);
    lines.push('  end');
    for (const instance of instances)
      for (const user of instance.users) lines.push(`  ${nodeId(user)} ==> ${nodeId(instance.name)}`);
  }
  return lines.join('\n');
}

function renderStoreTable(topology: Topology): string {
  const rows = storeInstancesOf(topology).map(
    (instance) =>
      `| ${instance.name} | ${instance.engine} | ${instance.network} | ${instance.users.join(', ')} |`,
  );
  return [
    '| store instance | engine | data network (internal) | users, each with its own credential |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function renderNetworkTable(topology: Topology): string {
  const rows = networksOf(topology).map((network) => {
    const kind = topology.zones.find((zone) => zone.name === network.zone)?.kind ?? '';
    const purpose = network.admitted === undefined ? 'the zone’s members' : `admits ${network.admitted}`;
    return `| ${network.name} | ${network.zone} (${kind}) | ${purpose} | ${network.internal ? 'yes' : 'no'} | ${network.members.join(', ')} |`;
  });
  return [
    '| network | zone | for | internal (no egress) | members |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function renderCallTable(topology: Topology): string {
  const rows = topology.calls.map(
    (call) =>
      `| ${call.from} | ${call.to} | ${call.as} | ${call.routes
        .map((route) => `\`${route.method} ${route.path}\``)
        .join('<br>')} | ${call.why} |`,
  );
  return ['| caller | callee | as | routes | why |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

function callsByPair(topology: Topology): Map<string, CallPrincipal[]> {
  const pairs = new Map<string, CallPrincipal[]>();
  for (const call of topology.calls) {
    const key = `${call.from} ${call.to}`;
    const principals = pairs.get(key) ?? [];
    if (!principals.includes(call.as)) principals.push(call.as);
    pairs.set(key, principals);
  }
  return pairs;
}

function nodeId(name: string): string {
  return name.replaceAll('-', '_');
}
