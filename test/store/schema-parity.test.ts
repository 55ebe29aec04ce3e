/**
 * Both stores have the same schema: every version's SQLite and PostgreSQL SQL create the same tables with
 * the same columns (the row mapping is shared, so a column missing on one side would break that store).
 * The one deliberate difference: PostgreSQL's approvals.seq stands for SQLite's implicit rowid.
 */
import Database from 'better-sqlite3';
import { MIGRATIONS, openStore } from '../../src/store';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres';
import { createTestDatabase, openTestPostgresStore, queryRows } from '../support/postgres';
import { tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.remove());

const ONLY_IN_POSTGRES = ['approvals.seq'];

function sqliteColumns(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as Array<{ name: string }>;
    return tables.flatMap(({ name }) =>
      (db.prepare(`PRAGMA table_info(${name})`).all() as Array<{ name: string }>).map(
        (c) => `${name}.${c.name}`,
      ),
    );
  } finally {
    db.close();
  }
}

async function postgresColumns(url: string): Promise<string[]> {
  const rows = await queryRows<{ c: string }>(
    url,
    `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
     WHERE table_schema = current_schema()`,
  );
  return rows.map((r) => r.c);
}

it('has the same versions, with the same names, in both stores', () => {
  expect(POSTGRES_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(
    MIGRATIONS.map((m) => [m.version, m.name]),
  );
});

it('creates the same tables and columns in SQLite and PostgreSQL', async () => {
  const path = tmp.file('parity.db');
  await openStore(path).close();
  const url = await createTestDatabase();
  await (await openTestPostgresStore(url)).close();
  const sqlite = sqliteColumns(path).sort();
  const postgres = (await postgresColumns(url)).filter((c) => !ONLY_IN_POSTGRES.includes(c)).sort();
  expect(postgres).toEqual(sqlite);
  expect(sqlite).toContain('approvals.kind');
});
