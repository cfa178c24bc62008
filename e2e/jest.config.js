import { jestPreset } from '../jest.preset.js';

// Each suite starts the whole stack as local processes; one suite at a time keeps two cores honest.
export default { ...jestPreset, testTimeout: 60_000 };
