// Typed reads of database rows (node:sqlite's or node-postgres'): a column of the wrong type is a broken
// database, not something to coerce.
export type Row = Readonly<Record<string, unknown>>;

export function textColumn(row: Row, name: string): string {
  const value = row[name];
  if (typeof value !== 'string') throw new TypeError(`column "${name}" is not text`);
  return value;
}

export function integerColumn(row: Row, name: string): number {
  const value = row[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`column "${name}" is not an integer`);
  }
  return value;
}
