// Renders, for one service, its zones and the calls it accepts and makes, for the generated section of
// the service's README, so that "allowed callers" is never written by hand.
import type { Topology } from './model.js';
import { serviceNamed, zonesJoinedBy } from './lookup.js';

export function renderServiceAccessMarkdown(topology: Topology, name: string): string {
  const service = serviceNamed(topology, name);
  const joined = zonesJoinedBy(topology, service).map((zone) =>
    service.zones.includes(zone.name) ? `\`${zone.name}\` (${zone.kind})` : `\`${zone.name}\` (admitted)`,
  );
  const incoming = topology.calls.filter((call) => call.to === name);
  const outgoing = topology.calls.filter((call) => call.from === name);
  const row = (peer: string, as: string, routes: readonly { method: string; path: string }[]): string =>
    `| ${peer} | ${as} | ${routes.map((route) => `\`${route.method} ${route.path}\``).join('<br>')} |`;
  return [
    `Zones: ${joined.join(', ')}. Port: ${service.port}.`,
    '',
    '**Allowed callers** (everything else is refused):',
    '',
    '| caller | as | routes |',
    '| --- | --- | --- |',
    ...(incoming.length > 0
      ? incoming.map((call) => row(call.from, call.as, call.routes))
      : ['| – | – | – |']),
    '',
    '**Calls it makes:**',
    '',
    '| callee | as | routes |',
    '| --- | --- | --- |',
    ...(outgoing.length > 0 ? outgoing.map((call) => row(call.to, call.as, call.routes)) : ['| – | – | – |']),
  ].join('\n');
}
