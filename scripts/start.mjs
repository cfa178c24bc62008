// Starts the local stack (every service as a local process on loopback). The services arrive with
// issues #3-#5; until then there is nothing to run, which is not an error.
import { existsSync, readdirSync } from 'node:fs';

const appsDir = new URL('../apps/', import.meta.url);
const apps = existsSync(appsDir) ? readdirSync(appsDir) : [];
if (apps.length === 0) {
  console.log('airlock: nothing to run yet (no services under apps/).');
}
