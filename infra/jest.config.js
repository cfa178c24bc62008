import { jestPreset } from '../jest.preset.js';

// Two projects: `unit` (the generators, no Docker) and `containers` (the proofs; each file starts its own stack
// from the topology and removes it; globalSetup and globalTeardown remove what an interrupted run left).
export default {
  // Container proofs wait for health, stop and restart services: minutes, not seconds.
  testTimeout: 120_000,
  projects: [
    { ...jestPreset, displayName: 'unit', testMatch: ['<rootDir>/test/*.test.ts'] },
    {
      ...jestPreset,
      displayName: 'containers',
      testMatch: ['<rootDir>/test/containers/**/*.test.ts'],
      globalSetup: '<rootDir>/test/containers/support/global-setup.js',
      globalTeardown: '<rootDir>/test/containers/support/global-teardown.js',
    },
  ],
};
