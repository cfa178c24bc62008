import { jestPreset } from '../jest.preset.js';

// The Swarm proofs (infra/scripts/run-swarm-suite.sh deploys the stack before them and removes it after): one
// stack for every file, so each file leaves it as it found it (every replica running and healthy).
export default {
  ...jestPreset,
  displayName: 'swarm',
  testMatch: ['<rootDir>/test/swarm/**/*.test.ts'],
  // Deploys, scaling and rolling updates take minutes, not seconds.
  testTimeout: 300_000,
};
