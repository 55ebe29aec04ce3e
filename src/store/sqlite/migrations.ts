/**
 * The SQLite store's migration runner: applies the pending schema versions (src/store/migrations, shared
 * with PostgreSQL) at open, all in one IMMEDIATE transaction (so two processes opening the same file at
 * once cannot both migrate), and refuses a database written by a newer cis-bot.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../../core/ports/store';
import {
  checkNumbering,
  type Migration,
  type MigrationOutcome,
  migrationsFor,
  newerSchemaError,
} from '../migrations';

export type { Migration } from '../migrations';

/** SQLite's migrations, in version order. */
export const MIGRATIONS: readonly Migration[] = migrationsFor('sqlite');

/** The highest migration version recorded in the database (0 for a new file). */
export function schemaVersion(db: Database.Database): number {
  const table = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/** Applies the pending migrations of `migrations` (sorted, 1..n) in one IMMEDIATE transaction. */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => Date = () => new Date(),
): MigrationOutcome {
  checkNumbering(migrations);
  const latest = migrations.length;
  const apply = db.transaction((): MigrationOutcome => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const current = schemaVersion(db);
    if (current > latest)
      throw newerSchemaError(db.name, current, latest, 'point store.path at another file');
    const applied: number[] = [];
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, now().toISOString());
      applied.push(m.version);
    }
    // Foreign keys are off while tables are rebuilt: check them all before committing.
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0) {
      throw new StoreError(
        `the migration left ${broken.length} rows whose references are broken; nothing was changed`,
      );
    }
    return { from: current, to: Math.max(current, latest), applied };
  });
  // A rebuilt table is dropped and renamed, which foreign-key enforcement would refuse (or rewrite the
  // references of); SQLite only changes the setting outside a transaction.
  const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
  if (enforced) db.pragma('foreign_keys = OFF');
  try {
    return apply.immediate();
  } finally {
    if (enforced) db.pragma('foreign_keys = ON');
  }
}
