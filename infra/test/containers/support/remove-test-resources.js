// Removes every container, network and volume labelled airlock.test=true, with the docker CLI: what a crashed
// or interrupted run left behind (before the suite), and anything a failed afterAll missed (after it).
import { execFileSync } from 'node:child_process';

const LABEL = 'label=airlock.test=true';

export function removeTestResources() {
  const ids = (args) =>
    execFileSync('docker', args, { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
  const remove = (args, list) => {
    if (list.length > 0) execFileSync('docker', [...args, ...list], { stdio: 'ignore' });
  };
  remove(['rm', '--force', '--volumes'], ids(['ps', '--all', '--quiet', '--filter', LABEL]));
  remove(['network', 'rm'], ids(['network', 'ls', '--quiet', '--filter', LABEL]));
  remove(['volume', 'rm', '--force'], ids(['volume', 'ls', '--quiet', '--filter', LABEL]));
}
