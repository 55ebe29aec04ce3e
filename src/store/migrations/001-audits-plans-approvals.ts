/**
 * Schema version 1: audit runs and their findings, plans, approvals and the append-only audit log.
 * SQLite keeps times as canonical ISO text and JSON as text; PostgreSQL uses timestamptz and json (kept
 * verbatim: what was approved reads back exactly as written). Execution leases are epoch milliseconds in
 * both, so "lapsed" is the same numeric comparison.
 */
import type { SchemaMigration } from './schema-migration';

const SQLITE_APPEND_ONLY = (table: string) => `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${table} is append-only: entries cannot be changed'); END;
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${table} is append-only: entries cannot be deleted'); END;
`;

const POSTGRES_APPEND_ONLY = (table: string) => `
CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '${table} is append-only: entries cannot be %',
    CASE TG_OP WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END;
END $$;
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION ${table}_append_only();
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION ${table}_append_only();
CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
  FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only();
`;

export const auditsPlansApprovals: SchemaMigration = {
  version: 1,
  name: 'audit runs, findings, plans, approvals, audit log',
  sqlite: `
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
${SQLITE_APPEND_ONLY('audit_log')}
`,
  postgres: `
CREATE TABLE audit_runs (
  id          text PRIMARY KEY,
  control     text NOT NULL,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  source      text NOT NULL CHECK (source IN ('cli', 'slack', 'teams', 'schedule')),
  actor       json
);
CREATE TABLE findings (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id     text NOT NULL REFERENCES audit_runs(id),
  control    text NOT NULL,
  account_id text NOT NULL,
  status     text NOT NULL,
  reason     text,
  finding    json NOT NULL,
  at         timestamptz NOT NULL,
  UNIQUE (run_id, account_id)
);
CREATE INDEX findings_by_account ON findings (control, account_id, at);
CREATE INDEX findings_by_time ON findings (control, at);

CREATE TABLE plans (
  hash       text PRIMARY KEY,
  control    text NOT NULL,
  account_id text NOT NULL,
  region     text,
  created_at timestamptz NOT NULL,
  plan       json NOT NULL
);

CREATE TABLE approvals (
  id                   text PRIMARY KEY,
  -- Creation order (SQLite's rowid): the tie-break of approvals created at the same instant.
  seq                  bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  plan_hash            text NOT NULL REFERENCES plans(hash),
  control              text NOT NULL,
  account_id           text NOT NULL,
  state                text NOT NULL CHECK (state IN
                         ('requested', 'approved', 'executing', 'succeeded', 'failed', 'rejected', 'expired', 'stale')),
  requested_by         json NOT NULL,
  conversation         json,
  created_at           timestamptz NOT NULL,
  expires_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  version              integer NOT NULL DEFAULT 0,
  decided_by           json,
  decided_at           timestamptz,
  execution_owner      text,
  lease_until_ms       bigint,
  execution_started_at timestamptz,
  finished_at          timestamptz,
  result               json,
  error                text
);
CREATE INDEX approvals_by_state ON approvals (state, created_at);

CREATE TABLE audit_log (
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL,
  kind        text NOT NULL,
  actor       json,
  platform    text,
  control     text,
  account_id  text,
  plan_hash   text,
  approval_id text,
  detail      json NOT NULL
);
CREATE INDEX audit_log_by_approval ON audit_log (approval_id, seq);
${POSTGRES_APPEND_ONLY('audit_log')}
`,
};
