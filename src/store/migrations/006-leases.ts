/**
 * Schema version 6: leases, the one per-account exclusion (LeaseStore): a key (`account:<id>`), its
 * owner, when that owner acquired it, and when it lapses (epoch milliseconds in both stores, like every
 * lease, so "lapsed" is the same numeric comparison). A released lease is deleted.
 */
import type { SchemaMigration } from './schema-migration';

export const leases: SchemaMigration = {
  version: 6,
  name: 'leases (per-account exclusion: remediations, drills, re-audits)',
  sqlite: `
CREATE TABLE leases (
  key           TEXT PRIMARY KEY,
  owner         TEXT NOT NULL,
  acquired_at   TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
`,
  postgres: `
CREATE TABLE leases (
  key           text PRIMARY KEY,
  owner         text NOT NULL,
  acquired_at   timestamptz NOT NULL,
  expires_at_ms bigint NOT NULL
);
`,
};
