/**
 * Schema version 10: alert_states.pending_alert, the alert a replica is about to post (JSON), written
 * with the status change in the same compare-and-set and cleared once posted. A replica that dies in
 * between leaves it there; the next re-audit of that account (under the account lease) posts it, so a
 * change is not lost on a crash.
 */
import type { SchemaMigration } from './schema-migration';

export const alertPending: SchemaMigration = {
  version: 10,
  name: 'alert_states.pending_alert (an alert not yet posted survives a crash)',
  sqlite: `
ALTER TABLE alert_states ADD COLUMN pending_alert TEXT;
`,
  postgres: `
ALTER TABLE alert_states ADD COLUMN pending_alert json;
`,
};
