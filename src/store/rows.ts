/**
 * Column conversions shared by both stores: JSON columns as text (PostgreSQL's json columns are read as
 * text too, see postgres/connection.ts), timestamps written in `Date#toISOString` form (SQLite keeps that
 * text, so text order is time order; PostgreSQL returns its timestamptz as a Date), leases as epoch
 * milliseconds, absent values as NULL.
 */
import { StoreError } from '../core/ports/store';

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

/** A time column as the driver returns it: ISO text (SQLite) or a Date (PostgreSQL's timestamptz). */
export type TimeColumn = string | Date;

/** A time column in the ports' canonical ISO form. */
export function timeOut(value: TimeColumn): string {
  return value instanceof Date ? value.toISOString() : value;
}

/** An epoch-milliseconds column (leases) in the ports' canonical ISO form. */
export function msOut(value: number): string {
  return new Date(value).toISOString();
}
