import { jestPreset } from '../jest.preset.js';

// Two projects: `unit` (the generators, no Docker) and `containers` (the proofs against the running stack,
// which globalSetup starts once from the topology and globalTeardown removes, whatever happened in between).
export default {
  projects: [
    { ...jestPreset, displayName: 'unit', testMatch: ['<rootDir>/test/*.test.ts'] },
    {
      ...jestPreset,
      displayName: 'containers',
      testMatch: ['<rootDir>/test/containers/**/*.test.ts'],
      globalSetup: '<rootDir>/test/containers/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/containers/support/global-teardown.ts',
    },
  ],
};
