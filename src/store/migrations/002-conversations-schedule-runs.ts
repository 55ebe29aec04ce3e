/** Schema version 2: conversation references (proactive posts) and scheduled-run leases. */
import type { SchemaMigration } from './schema-migration';

export const conversationsScheduleRuns: SchemaMigration = {
  version: 2,
  name: 'conversation references and scheduled-run leases',
  sqlite: `
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
  // fire_time stays text in both: it is the run's key exactly as the scheduler names it.
  postgres: `
CREATE TABLE conversation_refs (
  platform        text NOT NULL,
  conversation_id text NOT NULL,
  ref             json NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (platform, conversation_id)
);
CREATE TABLE schedule_runs (
  schedule_name  text NOT NULL,
  fire_time      text NOT NULL,
  owner          text NOT NULL,
  lease_until_ms bigint NOT NULL,
  claimed_at     timestamptz NOT NULL,
  attempts       integer NOT NULL DEFAULT 1,
  completed_at   timestamptz,
  summary        json,
  PRIMARY KEY (schedule_name, fire_time)
);
CREATE INDEX schedule_runs_completed ON schedule_runs (schedule_name, completed_at, fire_time);
`,
};
