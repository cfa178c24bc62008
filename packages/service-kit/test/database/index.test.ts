import { describe, expect, it } from '@jest/globals';

import * as database from '../../src/database/index.js';

describe('@airlock/service-kit/database entry point', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(database).sort()).toEqual(
      [
        'MigrationError',
        'integerColumn',
        'isConstraintViolation',
        'openServiceDatabase',
        'postgresFromSqlite',
        'sqliteDatabase',
        'textColumn',
      ].sort(),
    );
  });
});
