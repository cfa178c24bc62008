// The generator's command line: `generate-service --name inventory --zone core --port 8085 ...`. Run by the
// `service` generator of turbo gen (turbo/generators/config.ts) with the answers it collected.
import { fileURLToPath } from 'node:url';

import { airlockTopology } from '@airlock/topology';

import { parseAnswers } from '../answers.js';
import { GeneratorError } from '../generator-error.js';
import { generateService } from '../generate-service.js';

/** This file is tools/service-generator/{src,dist}/cli/generate-service.*. */
const rootDir = fileURLToPath(new URL('../../../../', import.meta.url));

try {
  const answers = parseAnswers(process.argv.slice(2));
  await generateService({
    rootDir,
    topology: airlockTopology,
    answers,
    log: (line) => {
      console.log(`gen:service: ${line}`);
    },
  });
  console.log(`gen:service: ${answers.name} is ready; write its routes in apps/${answers.name}/src/routes/`);
} catch (error) {
  if (!(error instanceof GeneratorError)) throw error;
  console.error(`gen:service: refused (${error.code}): ${error.message}`);
  process.exit(1);
}
