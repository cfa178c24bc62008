// Tells build-images.sh what it needs from the topology: with no argument, the services to build (one per
// line); with a service name, the mount points its image must carry, owned by the container user, so that a
// fresh named volume mounted there is writable by it (Docker copies the mount point's owner into the volume).
import { airlockTopology, serviceNamed } from '@airlock/topology';
import { stackOf } from '../stack.js';

const [service] = process.argv.slice(2);
const stack = stackOf(airlockTopology);
if (service === undefined) {
  for (const candidate of stack.services) console.log(candidate.name);
} else {
  serviceNamed(airlockTopology, service);
  const spec = stack.services.find((candidate) => candidate.name === service);
  for (const mount of spec?.mounts ?? []) if (!mount.readOnly) console.log(mount.target);
}
