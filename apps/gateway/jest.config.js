import { jestPreset } from '../../jest.preset.js';

// The acceptance suite starts the real auth and signs users in: give loaded CI machines room.
export default { ...jestPreset, testTimeout: 30_000 };
