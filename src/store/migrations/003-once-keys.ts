/** Schema version 3: once-only keys (the replay cache of request signatures). */
import type { SchemaMigration } from './schema-migration';

export const onceKeys: SchemaMigration = {
  version: 3,
  name: 'once-only keys (request replay protection)',
  sqlite: `
CREATE TABLE once_keys (
  key           TEXT PRIMARY KEY,
  expires_at_ms INTEGER NOT NULL,
  seen_at       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX once_keys_by_expiry ON once_keys (expires_at_ms);
`,
  postgres: `
CREATE TABLE once_keys (
  key           text PRIMARY KEY,
  expires_at_ms bigint NOT NULL,
  seen_at       timestamptz NOT NULL
);
CREATE INDEX once_keys_by_expiry ON once_keys (expires_at_ms);
`,
};
