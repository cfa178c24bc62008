// Renders the threat model's inventory of services: each service with its zones, who may call it, and what an
// attacker who controls it holds. Generated, so a new service appears in the threat model by being declared.
import type { Topology } from './model.js';
import { zonesJoinedBy } from './lookup.js';

export function renderServiceInventoryMarkdown(topology: Topology): string {
  const rows = topology.services.map((service) => {
    const zones = zonesJoinedBy(topology, service).map((zone) =>
      service.zones.includes(zone.name) ? `\`${zone.name}\` (${zone.kind})` : `\`${zone.name}\` (admitted)`,
    );
    const callers = [
      ...new Set(
        topology.calls.filter((call) => call.to === service.name).map((call) => `${call.from} (${call.as})`),
      ),
    ];
    const edge = topology.edgeRoutes
      .filter((route) => route.to === service.name)
      .map((route) => `clients at \`${route.prefix}\` (${route.as})`);
    const reachedBy = [...callers, ...edge];
    return `| ${service.name} | ${zones.join(', ')} | ${reachedBy.length > 0 ? reachedBy.join(', ') : '–'} | ${service.holds} |`;
  });
  return ['| service | zones | who may call it | what it holds |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}
