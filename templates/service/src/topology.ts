// The topology the template is built and tested against: Airlock's, plus the template service declared the way
// `./airlock gen:service` declares a new one (in the edge's trusted zone, called by the edge on behalf of users,
// fetching the signing keys from the issuer). A generated service replaces this file with Airlock's topology.
import {
  airlockTopology,
  defineTopology,
  edgeService,
  issuerServiceOf,
  JWKS_PATH,
  TopologyError,
} from '@airlock/topology';

const NAME = 'template-service';
const edge = edgeService(airlockTopology);
const issuer = issuerServiceOf(airlockTopology);
const home = airlockTopology.zones.find((zone) => zone.kind === 'trusted' && edge.zones.includes(zone.name));
if (home === undefined) throw new TopologyError('unknown_zone', 'the edge service is in no trusted zone');

export const topology = defineTopology({
  // The issuer's enclave admits the template service for its one call there: the signing keys.
  zones: airlockTopology.zones.map((zone) =>
    zone.kind === 'enclave' && issuer.zones.includes(zone.name)
      ? { ...zone, admits: [...(zone.admits ?? []), NAME] }
      : zone,
  ),
  services: [
    ...airlockTopology.services,
    {
      name: NAME,
      port: Math.max(...airlockTopology.services.map((service) => service.port)) + 1,
      zones: [home.name],
      purpose: 'The service template.',
      holds: `Nothing secret: JWTs addressed to ${NAME}.`,
    },
  ],
  calls: [
    ...airlockTopology.calls,
    {
      from: edge.name,
      to: NAME,
      as: 'user',
      why: 'Forwards the signed-in user’s requests.',
      routes: [{ method: 'GET', path: `/${NAME}` }],
    },
    {
      from: NAME,
      to: issuer.name,
      as: 'public',
      why: 'Fetches the signing keys that verify incoming tokens.',
      routes: [{ method: 'GET', path: JWKS_PATH }],
    },
  ],
  edgeRoutes: [
    ...airlockTopology.edgeRoutes,
    { prefix: `/api/${NAME}`, to: NAME, upstreamPrefix: `/${NAME}`, as: 'user' },
  ],
});
