/**
 * Schema version 7: accepted exceptions (issue 14), one row per approval of kind `exception` that ran
 * (id = the approval's id): the control and account, why and until when (the last valid day and the
 * instant it stops applying), who asked and who approved, an optional named deviation (the accepted
 * filter pattern, its hash and the engine's witness event, as JSON), and the revocation if any.
 */
import type { SchemaMigration } from './schema-migration';

export const exceptions: SchemaMigration = {
  version: 7,
  name: 'exceptions (accepted failing controls, with an expiry)',
  sqlite: `
CREATE TABLE exceptions (
  id           TEXT PRIMARY KEY,
  control      TEXT NOT NULL,
  account_id   TEXT NOT NULL,
  reason       TEXT NOT NULL,
  until_date   TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  approved_by  TEXT NOT NULL,
  granted_at   TEXT NOT NULL,
  deviation    TEXT,
  revoked_at   TEXT,
  revoked_by   TEXT
);
CREATE INDEX exceptions_control_account ON exceptions (control, account_id, expires_at);
`,
  postgres: `
CREATE TABLE exceptions (
  id           text PRIMARY KEY,
  control      text NOT NULL,
  account_id   text NOT NULL,
  reason       text NOT NULL,
  until_date   text NOT NULL,
  expires_at   timestamptz NOT NULL,
  requested_by json NOT NULL,
  approved_by  json NOT NULL,
  granted_at   timestamptz NOT NULL,
  deviation    json,
  revoked_at   timestamptz,
  revoked_by   json
);
CREATE INDEX exceptions_control_account ON exceptions (control, account_id, expires_at);
`,
};
