// Opens orders' database (who ordered what) on the engine its config selects, migrated to orders' latest schema.
import { openServiceDatabase } from '@airlock/service-kit/database';
import type { DatabaseLocation, SqlDatabase } from '@airlock/service-kit/database';

import { ordersMigrations } from './migrations.js';

export function openOrdersDatabase(location: DatabaseLocation): Promise<SqlDatabase> {
  return openServiceDatabase(location, ordersMigrations);
}
