/** The shape of one schema version: its number, what it means, and its SQL in each store's dialect. */

export interface SchemaMigration {
  /** 1, 2, 3…: the same number means the same schema in every store. */
  version: number;
  /** What the version adds; recorded in each database's schema_migrations table. */
  name: string;
  sqlite: string;
  postgres: string;
}

/** One store's view of a schema version: what its migration runner applies. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** What a store's migration runner did at open: the version before and after, the versions it applied. */
export interface MigrationOutcome {
  from: number;
  to: number;
  applied: number[];
}
