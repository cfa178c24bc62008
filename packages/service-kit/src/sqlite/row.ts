// Typed reads of node:sqlite rows: a column of the wrong type is a broken database, not something to coerce.
import type { SQLOutputValue } from 'node:sqlite';

export type Row = Record<string, SQLOutputValue>;

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
