/**
 * Column conversions shared by the SQLite store's parts: JSON columns as TEXT, timestamps normalised to
 * `Date#toISOString` form (so text order is time order), absent values as NULL. Each part maps its own rows.
 */
import { StoreError } from '../../core/ports/store';

/** JSON text of a value; `undefined` becomes `null`. Throws StoreError for what JSON cannot hold. */
export function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value === undefined ? null : value);
  } catch (cause) {
    throw new StoreError(`cannot store ${what}: it is not serialisable as JSON (${String(cause)})`, {
      cause,
    });
  }
}

export function fromJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

/** Normalises a timestamp to the canonical ISO form, refusing what is not a time. */
export function iso(value: string | Date, what: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new StoreError(`${what} is not a valid timestamp: ${String(value)}`);
  return date.toISOString();
}

export function ms(value: string | Date, what: string): number {
  return new Date(iso(value, what)).getTime();
}
