// Shared jest configuration: ESM TypeScript through @swc/jest, run with node --experimental-vm-modules.
export const jestPreset = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2024' },
        module: { type: 'es6' },
      },
    ],
  },
  // Sources import siblings as './x.js' (NodeNext); jest resolves those to the .ts files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  clearMocks: true,
  // CI shares two cores between suites; a test that asserts a time bound says so itself, so the runner's
  // own limit (tests and hooks) only catches hangs.
  testTimeout: 30_000,
};
