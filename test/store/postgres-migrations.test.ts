/**
 * The PostgreSQL store's schema migrations: versions applied once under the migration lock even when
 * several replicas start together, an older database brought up to date with its data, a newer one
 * refused with a clear message, and migrations applied whole or not at all.
 */
import { StoreError } from '../../src/core/ports/store';
import { openPostgresStore, POSTGRES_MIGRATIONS, type PostgresStore } from '../../src/store/postgres';
import { createTestDatabase, openTestPostgresStore, queryRows, testStoreSettings } from '../support/postgres';

const opened: PostgresStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});
async function open(url: string, migrations = POSTGRES_MIGRATIONS): Promise<PostgresStore> {
  const store = await openPostgresStore(testStoreSettings(url), { migrations });
  opened.push(store);
  return store;
}

async function applied(url: string): Promise<Array<{ version: number; name: string }>> {
  return queryRows(url, 'SELECT version, name FROM schema_migrations ORDER BY version');
}

describe('PostgreSQL schema migrations', () => {
  it('creates a new database at the latest version, recording every version once', async () => {
    const url = await createTestDatabase();
    const store = await open(url);
    expect(store.migration).toEqual({
      from: 0,
      to: POSTGRES_MIGRATIONS.length,
      applied: POSTGRES_MIGRATIONS.map((m) => m.version),
    });
    expect(await applied(url)).toEqual(
      POSTGRES_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
    );
    const again = await open(url);
    expect(again.migration.applied).toEqual([]);
    expect(await applied(url)).toHaveLength(POSTGRES_MIGRATIONS.length);
  });

  it('migrates once when several replicas start together on a new database', async () => {
    const url = await createTestDatabase();
    // Without the lock, concurrent CREATE TABLEs and schema_migrations inserts would fail.
    const stores = await Promise.all(Array.from({ length: 6 }, () => openTestPostgresStore(url)));
    opened.push(...stores);
    const migrators = stores.filter((s) => s.migration.applied.length > 0);
    expect(migrators).toHaveLength(1);
    expect(migrators[0]?.migration.applied).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    for (const s of stores) expect(s.migration.to).toBe(POSTGRES_MIGRATIONS.length);
    expect(await applied(url)).toHaveLength(POSTGRES_MIGRATIONS.length);
    // And every replica works on the one schema.
    await stores[0]?.appendAuditLog({ at: '2025-01-01T00:00:00Z', kind: 'audit', detail: {} });
    expect(await stores[5]?.listAuditLog()).toHaveLength(1);
  });

  it('migrates a database written by an older version and keeps its data', async () => {
    const url = await createTestDatabase();
    const old = await open(url, POSTGRES_MIGRATIONS.slice(0, 1));
    await old.savePlan({
      hash: 'h1',
      control: '4.1',
      accountId: '111111111111',
      createdAt: '2025-01-01T00:00:00Z',
      plan: { steps: [1] },
    });
    await queryRows(
      url,
      `INSERT INTO approvals (id, plan_hash, control, account_id, state, requested_by, created_at, expires_at, updated_at)
       VALUES ('old', 'h1', '4.1', '111111111111', 'requested', '{"platform":"slack","userId":"U1"}',
               '2025-01-01T00:00:00Z', '2025-01-01T01:00:00Z', '2025-01-01T00:00:00Z')`,
    );
    expect(await applied(url)).toHaveLength(1);

    const store = await open(url);
    expect(store.migration).toEqual({
      from: 1,
      to: POSTGRES_MIGRATIONS.length,
      applied: POSTGRES_MIGRATIONS.slice(1).map((m) => m.version),
    });
    expect(await store.getPlan('h1')).toMatchObject({ hash: 'h1', plan: { steps: [1] } });
    // Migration 4: approvals stored before approval kinds existed are remediations.
    expect(await store.getApproval('old')).toMatchObject({
      id: 'old',
      kind: 'remediation',
      state: 'requested',
    });
    expect(await store.rememberOnce('k', '2030-01-01T00:00:00Z', new Date('2025-01-01'))).toBe(true);
    // Migration 5: audit runs from any platform.
    await store.recordAuditRun({
      id: 'r1',
      control: '4.1',
      startedAt: '2025-01-01T00:00:00Z',
      finishedAt: '2025-01-01T00:00:01Z',
      trigger: 'webex',
      accounts: [],
    });
    expect((await store.getAuditRun('r1'))?.trigger).toBe('webex');
  });

  it('refuses a database written by a newer cis-bot, with a clear error, and changes nothing', async () => {
    const url = await createTestDatabase();
    await open(url);
    await queryRows(
      url,
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', now())",
    );
    const error = await openTestPostgresStore(url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `schema version 99, but this cis-bot knows versions up to ${POSTGRES_MIGRATIONS.length}: it was written by a newer cis-bot\\. ` +
          'Upgrade cis-bot, or point store.url at another database',
      ),
    );
    expect(await applied(url)).toHaveLength(POSTGRES_MIGRATIONS.length + 1);
  });

  it('applies a failing migration not at all: the schema stays at its version', async () => {
    const url = await createTestDatabase();
    const broken = [
      ...POSTGRES_MIGRATIONS.slice(0, 3),
      { version: 4, name: 'half done', sql: 'CREATE TABLE half_done (x int); SELECT no_such_function();' },
    ];
    await open(url, POSTGRES_MIGRATIONS.slice(0, 3));
    await expect(open(url, broken)).rejects.toThrow(
      /could not migrate the database schema: .*no_such_function/,
    );
    expect(await applied(url)).toHaveLength(3);
    expect(await queryRows(url, "SELECT to_regclass('half_done') AS t")).toEqual([{ t: null }]);
  });

  it('rejects a migration list that is not numbered 1..n', async () => {
    const url = await createTestDatabase();
    await expect(open(url, POSTGRES_MIGRATIONS.slice(1, 2))).rejects.toThrow(/not numbered 1..n/);
  });
});
