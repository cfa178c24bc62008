// Tells build-images.sh and build-store-images.sh what they need from the topology:
//   (no argument)           the services to build, one per line;
//   <service>               the mount points its image must carry, owned by the container user, so that a fresh
//                           named volume mounted there is writable by it (Docker copies the mount point's owner);
//   --store-images          the store images the stack runs (e.g. postgres, redis, store-init);
//   --mount-points <image>  the same mount points for a store image, over every container that runs it.
import { airlockTopology, serviceNamed } from '@airlock/topology';
import { imageOf, stackOf } from '../stack.js';

const [argument, image] = process.argv.slice(2);
const stack = stackOf(airlockTopology);
const storeContainers = [...stack.stores, ...stack.oneShots];
if (argument === undefined) {
  for (const candidate of stack.services) console.log(candidate.name);
} else if (argument === '--store-images') {
  const names = storeContainers.map((container) => container.image.replace(/^airlock\//, '').split(':')[0]);
  for (const name of new Set(names)) console.log(name);
} else if (argument === '--mount-points') {
  const targets = storeContainers
    .filter((container) => container.image.split(':')[0] === imageOf(image ?? '').split(':')[0])
    .flatMap((container) => container.mounts.filter((mount) => !mount.readOnly).map((mount) => mount.target));
  for (const target of new Set(targets)) console.log(target);
} else {
  serviceNamed(airlockTopology, argument);
  const spec = stack.services.find((candidate) => candidate.name === argument);
  for (const mount of spec?.mounts ?? []) if (!mount.readOnly) console.log(mount.target);
}
