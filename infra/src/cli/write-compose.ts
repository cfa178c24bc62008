// Writes infra/compose/docker-compose.yml, the generated tables of infra/README.md and infra's dependencies on
// the services it builds images of (infra/package.json) from the topology, or with --check fails when any is out
// of date (CI runs `./airlock check`, so a drifted compose file or a missing service dependency fails it).
import { airlockTopology, replaceGeneratedSection } from '@airlock/topology';
import { format, resolveConfig } from 'prettier';
import { renderCompose } from '../render-compose.js';
import { renderHardeningTable, renderServicesTable, renderVolumesTable } from '../render-readme-tables.js';
import { withServiceDependencies } from '../service-dependencies.js';
import { stackOf } from '../stack.js';
import { exitIfStale, isCheck, writeOrCheck, type GeneratedFile } from './generated-files.js';

const stack = stackOf(airlockTopology);

const files: GeneratedFile[] = [
  // In the repository's own format, so that `prettier --check` and this drift check agree on one text.
  {
    path: 'compose/docker-compose.yml',
    render: async (_current, path) =>
      format(renderCompose(stack), { ...(await resolveConfig(path)), filepath: path }),
  },
  {
    path: 'README.md',
    render: (current) => {
      let text = current ?? '';
      text = replaceGeneratedSection(text, 'stack-services', renderServicesTable(stack));
      text = replaceGeneratedSection(text, 'stack-hardening', renderHardeningTable());
      return replaceGeneratedSection(text, 'stack-volumes', renderVolumesTable(stack));
    },
  },
  // The image builds deploy each service's workspace package: infra depends on exactly the topology's services.
  {
    path: 'package.json',
    render: (current) =>
      withServiceDependencies(
        current ?? '{}',
        stack.services.map((service) => service.name),
      ),
  },
];

exitIfStale(await writeOrCheck(files, isCheck()));
