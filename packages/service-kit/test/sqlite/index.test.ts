import { describe, expect, it } from '@jest/globals';

import * as sqlite from '../../src/sqlite/index.js';

describe('@airlock/service-kit/sqlite entry point', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(sqlite).sort()).toEqual(
      [
        'MigrationError',
        'currentVersion',
        'immediateTransaction',
        'integerColumn',
        'openSqliteDatabase',
        'runMigrations',
        'textColumn',
      ].sort(),
    );
  });
});
