/**
 * Schema version 5: audit runs from any platform (platforms are data: no CHECK constraint naming them).
 * SQLite cannot drop a constraint: the table is rebuilt (SQLite's documented procedure: new table, copy,
 * drop, rename; its runner turns foreign keys off meanwhile and checks them before committing).
 * PostgreSQL drops the constraint it named after the column.
 */
import type { SchemaMigration } from './schema-migration';

export const auditRunsAnyPlatform: SchemaMigration = {
  version: 5,
  name: 'audit runs from any platform (no CHECK constraint naming the platforms)',
  sqlite: `
CREATE TABLE audit_runs_v5 (
  id          TEXT PRIMARY KEY,
  control     TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  source      TEXT NOT NULL,
  actor       TEXT
);
INSERT INTO audit_runs_v5 (id, control, started_at, finished_at, source, actor)
  SELECT id, control, started_at, finished_at, source, actor FROM audit_runs;
DROP TABLE audit_runs;
ALTER TABLE audit_runs_v5 RENAME TO audit_runs;
`,
  postgres: `
ALTER TABLE audit_runs DROP CONSTRAINT audit_runs_source_check;
`,
};
