import { jestPreset } from '../../jest.preset.js';

// Suites start the real server and hash real passwords; on a loaded 2-core CI machine the default 5 s per
// test is too tight for a full sign-in, so allow more. Nothing here waits on a timer longer than 5 s.
export default { ...jestPreset, testTimeout: 30_000 };
