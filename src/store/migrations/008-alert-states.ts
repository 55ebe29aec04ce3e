/**
 * Schema version 8: alert_states, the status each control last had per account as the drift alerts saw
 * it (AlertStateStore). One row per (account, control); a change is one conditional UPDATE (or an INSERT
 * that only the first writer wins), so a change is posted once across replicas.
 */
import type { SchemaMigration } from './schema-migration';

export const alertStates: SchemaMigration = {
  version: 8,
  name: 'alert_states (drift alerts: last status per account and control)',
  sqlite: `
CREATE TABLE alert_states (
  account_id  TEXT NOT NULL,
  control     TEXT NOT NULL,
  status      TEXT NOT NULL,
  changed_at  TEXT NOT NULL,
  PRIMARY KEY (account_id, control)
) WITHOUT ROWID;
`,
  postgres: `
CREATE TABLE alert_states (
  account_id  text NOT NULL,
  control     text NOT NULL,
  status      text NOT NULL,
  changed_at  timestamptz NOT NULL,
  PRIMARY KEY (account_id, control)
);
`,
};
