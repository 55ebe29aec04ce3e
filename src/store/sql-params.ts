/**
 * Bind parameters for SQL text built in parts (filters, patches), in either store's placeholder style:
 * `?` for SQLite, which binds in text order (so add values in the order they appear in the statement),
 * `$1, $2…` for PostgreSQL.
 */

export type Dialect = 'sqlite' | 'postgres';

export class SqlParams {
  readonly values: unknown[] = [];

  constructor(private readonly dialect: Dialect) {}

  /** Adds a value; returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect === 'postgres' ? `$${this.values.length}` : '?';
  }

  /** `column IN (…)` over `values`; an empty list matches nothing (PostgreSQL has no empty IN list). */
  in(column: string, values: readonly unknown[]): string {
    if (values.length === 0) return '1 = 0';
    return `${column} IN (${values.map((v) => this.add(v)).join(', ')})`;
  }
}
