/**
 * Ordered, numbered schema migrations of the SQLite store and the runner that applies them at open.
 * Append new migrations at the end with the next number; never edit one that has shipped. The runner
 * applies all pending migrations in one IMMEDIATE transaction (so two processes opening the same file
 * at once cannot both migrate) and refuses a database written by a newer cis-bot.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../../core/ports/store';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const APPEND_ONLY = (table: string) => `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${table} is append-only: entries cannot be changed'); END;
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${table} is append-only: entries cannot be deleted'); END;
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit runs, findings, plans, approvals, audit log',
    sql: `
CREATE TABLE audit_runs (
  id          TEXT PRIMARY KEY,
  control     TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('cli', 'slack', 'teams', 'schedule')),
  actor       TEXT
);
CREATE TABLE findings (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id     TEXT NOT NULL REFERENCES audit_runs(id),
  control    TEXT NOT NULL,
  account_id TEXT NOT NULL,
  status     TEXT NOT NULL,
  reason     TEXT,
  finding    TEXT NOT NULL,
  at         TEXT NOT NULL,
  UNIQUE (run_id, account_id)
);
CREATE INDEX findings_by_account ON findings (control, account_id, at);
CREATE INDEX findings_by_time ON findings (control, at);

CREATE TABLE plans (
  hash       TEXT PRIMARY KEY,
  control    TEXT NOT NULL,
  account_id TEXT NOT NULL,
  region     TEXT,
  created_at TEXT NOT NULL,
  plan       TEXT NOT NULL
);

CREATE TABLE approvals (
  id                   TEXT PRIMARY KEY,
  plan_hash            TEXT NOT NULL REFERENCES plans(hash),
  control              TEXT NOT NULL,
  account_id           TEXT NOT NULL,
  state                TEXT NOT NULL CHECK (state IN
                         ('requested', 'approved', 'executing', 'succeeded', 'failed', 'rejected', 'expired', 'stale')),
  requested_by         TEXT NOT NULL,
  conversation         TEXT,
  created_at           TEXT NOT NULL,
  expires_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  version              INTEGER NOT NULL DEFAULT 0,
  decided_by           TEXT,
  decided_at           TEXT,
  execution_owner      TEXT,
  lease_until_ms       INTEGER,
  execution_started_at TEXT,
  finished_at          TEXT,
  result               TEXT,
  error                TEXT
);
CREATE INDEX approvals_by_state ON approvals (state, created_at);

CREATE TABLE audit_log (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  at          TEXT NOT NULL,
  kind        TEXT NOT NULL,
  actor       TEXT,
  platform    TEXT,
  control     TEXT,
  account_id  TEXT,
  plan_hash   TEXT,
  approval_id TEXT,
  detail      TEXT NOT NULL
);
CREATE INDEX audit_log_by_approval ON audit_log (approval_id, seq);
${APPEND_ONLY('audit_log')}
`,
  },
  {
    version: 2,
    name: 'conversation references and scheduled-run leases',
    sql: `
CREATE TABLE conversation_refs (
  platform        TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  ref             TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  PRIMARY KEY (platform, conversation_id)
);
CREATE TABLE schedule_runs (
  schedule_name  TEXT NOT NULL,
  fire_time      TEXT NOT NULL,
  owner          TEXT NOT NULL,
  lease_until_ms INTEGER NOT NULL,
  claimed_at     TEXT NOT NULL,
  attempts       INTEGER NOT NULL DEFAULT 1,
  completed_at   TEXT,
  summary        TEXT,
  PRIMARY KEY (schedule_name, fire_time)
);
CREATE INDEX schedule_runs_completed ON schedule_runs (schedule_name, completed_at, fire_time);
`,
  },
  {
    version: 3,
    name: 'once-only keys (request replay protection)',
    sql: `
CREATE TABLE once_keys (
  key           TEXT PRIMARY KEY,
  expires_at_ms INTEGER NOT NULL,
  seen_at       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX once_keys_by_expiry ON once_keys (expires_at_ms);
`,
  },
  {
    version: 4,
    name: 'approval kinds (what an approval approves)',
    // Every approval before this version approved a remediation plan.
    sql: `
ALTER TABLE approvals ADD COLUMN kind TEXT NOT NULL DEFAULT 'remediation';
`,
  },
  {
    version: 5,
    name: 'audit runs from any platform (no CHECK constraint naming the platforms)',
    // SQLite cannot drop a constraint: the table is rebuilt (SQLite's documented procedure: new table,
    // copy, drop, rename), with foreign keys off during the migration and checked before it commits.
    sql: `
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
  },
];

export interface MigrationOutcome {
  from: number;
  to: number;
  applied: number[];
}

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
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new StoreError(`migration list is not numbered 1..n: entry ${i} has version ${m.version}`);
    }
  });
  const latest = migrations.length;
  const apply = db.transaction((): MigrationOutcome => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const current = schemaVersion(db);
    if (current > latest) {
      throw new StoreError(
        `the database ${db.name} has schema version ${current}, but this cis-bot knows versions up to ${latest}: ` +
          'it was written by a newer cis-bot. Upgrade cis-bot, or point store.path at another file.',
      );
    }
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
