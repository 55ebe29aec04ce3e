import Database from 'better-sqlite3';
import { StoreError } from '../../src/core/ports/store';
import { MIGRATIONS, migrate, openStore, schemaVersion } from '../../src/store';
import { tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.remove());

function tables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe('schema migrations', () => {
  it('creates a new database at the latest version, in WAL mode', async () => {
    const path = tmp.file('fresh.db');
    const store = openStore(path);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const applied = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    db.close();
    expect(applied).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(tables(path)).toEqual(
      expect.arrayContaining([
        'approvals',
        'audit_log',
        'conversation_refs',
        'once_keys',
        'plans',
        'schedule_runs',
      ]),
    );
  });

  it('migrates a database written by an older version and keeps its data', async () => {
    const path = tmp.file('old.db');
    const old = openStore(path, { migrations: MIGRATIONS.slice(0, 1) });
    await old.savePlan({
      hash: 'h1',
      control: '4.1',
      accountId: '111111111111',
      createdAt: '2025-01-01T00:00:00Z',
      plan: { steps: [1] },
    });
    await old.close();
    expect(tables(path)).not.toContain('schedule_runs');

    const store = openStore(path);
    expect(await store.getPlan('h1')).toEqual({
      hash: 'h1',
      control: '4.1',
      accountId: '111111111111',
      createdAt: '2025-01-01T00:00:00.000Z',
      plan: { steps: [1] },
    });
    expect(await store.claimScheduleRun('daily', '2025-01-01T07:00:00.000Z', 'a', 1000, new Date())).toBe(
      true,
    );
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    db.close();
  });

  it('refuses a database written by a newer cis-bot, with a clear error', async () => {
    const path = tmp.file('newer.db');
    await openStore(path).close();
    const db = new Database(path);
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', '2030-01-01')",
    ).run();
    db.close();
    expect(() => openStore(path)).toThrow(StoreError);
    expect(() => openStore(path)).toThrow(
      new RegExp(
        `schema version 99, but this cis-bot knows versions up to ${MIGRATIONS.length}: it was written by a newer cis-bot`,
      ),
    );
  });

  it('rejects a migration list that is not numbered 1..n', () => {
    const broken = [MIGRATIONS[1] as (typeof MIGRATIONS)[number]];
    expect(() => openStore(':memory:', { migrations: broken })).toThrow(/not numbered 1..n/);
  });

  it('opens again without re-applying anything', async () => {
    const path = tmp.file('twice.db');
    await openStore(path).close();
    await openStore(path).close();
    const db = new Database(path, { readonly: true });
    const count = db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number };
    db.close();
    expect(count.n).toBe(MIGRATIONS.length);
  });
  it('migration 4: approvals stored before approval kinds existed are remediations', async () => {
    const path = tmp.file('v3.db');
    await openStore(path, { migrations: MIGRATIONS.slice(0, 3) }).close();
    const db = new Database(path);
    db.prepare(
      "INSERT INTO plans (hash, control, account_id, created_at, plan) VALUES ('h1', '4.1', '111111111111', '2025-01-01T00:00:00.000Z', '{}')",
    ).run();
    db.prepare(
      `INSERT INTO approvals (id, plan_hash, control, account_id, state, requested_by, created_at, expires_at, updated_at)
       VALUES ('old', 'h1', '4.1', '111111111111', 'requested', '{"platform":"slack","userId":"U1"}',
               '2025-01-01T00:00:00.000Z', '2025-01-01T01:00:00.000Z', '2025-01-01T00:00:00.000Z')`,
    ).run();
    db.close();
    const store = openStore(path);
    expect(await store.getApproval('old')).toMatchObject({
      id: 'old',
      kind: 'remediation',
      state: 'requested',
    });
    await store.close();
  });
  it('migration 5: audit runs keep their findings and accept any platform as trigger', async () => {
    const path = tmp.file('v4.db');
    const old = openStore(path, { migrations: MIGRATIONS.slice(0, 4) });
    const run = (id: string, trigger: string) => ({
      id,
      control: '4.1',
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:00:05.000Z',
      trigger,
      accounts: [{ accountId: '111111111111', status: 'COMPLIANT', finding: { ok: true } }],
    });
    await old.recordAuditRun(run('before', 'slack'));
    // The old schema names the platforms it accepts.
    await expect(old.recordAuditRun(run('rejected', 'discord'))).rejects.toThrow(/CHECK constraint failed/);
    await old.close();

    const store = openStore(path);
    expect(await store.getAuditRun('before')).toEqual(run('before', 'slack'));
    await store.recordAuditRun(run('after', 'discord'));
    expect((await store.latestFindings('4.1')).map((f) => [f.runId, f.trigger])).toEqual([
      ['after', 'discord'],
    ]);
    await store.close();

    const db = new Database(path, { readonly: true });
    const sql = (
      db.prepare("SELECT sql FROM sqlite_master WHERE name = 'audit_runs'").get() as { sql: string }
    ).sql;
    const references = db.pragma('foreign_key_list(findings)') as Array<{ table: string }>;
    db.close();
    expect(sql).not.toMatch(/CHECK/);
    expect(references.map((r) => r.table)).toEqual(['audit_runs']);
  });

  it('turns foreign-key enforcement back on after migrating', () => {
    const db = new Database(tmp.file('fk.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 4));
    migrate(db);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() =>
      db
        .prepare(
          "INSERT INTO findings (run_id, control, account_id, status, finding, at) VALUES ('none', '4.1', '1', 'OK', '{}', 'x')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY constraint failed/);
    db.close();
  });
});
