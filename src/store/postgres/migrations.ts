/**
 * The PostgreSQL store's migration runner: applies the pending schema versions (src/store/migrations,
 * shared with SQLite) at start-up in ONE transaction that first takes a transaction-level advisory lock,
 * so replicas starting together migrate once (the others wait for the lock, then find nothing to do)
 * and a failed migration leaves the schema as it was (PostgreSQL's DDL is transactional). A database
 * written by a newer cis-bot is refused.
 */
import {
  checkNumbering,
  type Migration,
  type MigrationOutcome,
  migrationsFor,
  newerSchemaError,
} from '../migrations';
import type { PgConnection, Queryable } from './connection';

/** PostgreSQL's migrations, in version order. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = migrationsFor('postgres');

/**
 * The advisory lock key of cis-bot's schema migrations (two int4 keys, unlikely to collide with another
 * application's: 'cis-' and 'mig-' as ASCII). Advisory locks are per database.
 */
const LOCK_KEY = [0x6369732d, 0x6d69672d] as const;

async function schemaVersionIn(tx: Queryable): Promise<number> {
  const { rows } = await tx.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return rows[0]?.v ?? 0;
}

/**
 * Applies the pending `migrations` (numbered 1..n) under the migration lock, waiting at most
 * `timeoutMs` for the lock and for each statement.
 */
export function migratePostgres(
  c: PgConnection,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
  timeoutMs = 60_000,
): Promise<MigrationOutcome> {
  checkNumbering(migrations);
  const latest = migrations.length;
  return c.transaction(
    'migrate the database schema',
    async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [...LOCK_KEY]);
      await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL
      )`);
      const current = await schemaVersionIn(tx);
      if (current > latest) {
        const { rows } = await tx.query<{ db: string }>('SELECT current_database() AS db');
        throw newerSchemaError(rows[0]?.db ?? '?', current, latest, 'point store.url at another database');
      }
      const applied: number[] = [];
      for (const m of migrations) {
        if (m.version <= current) continue;
        await tx.query(m.sql);
        await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          c.now().toISOString(),
        ]);
        applied.push(m.version);
      }
      return { from: current, to: Math.max(current, latest), applied };
    },
    { statementTimeoutMs: timeoutMs },
  );
}
