/**
 * Schema version 9: slack_installations, the Slack workspaces (or Enterprise Grid organisations) that
 * installed the app through OAuth (SlackInstallationStore). One row per installation key; the
 * installation, tokens included, is kept sealed (AES-256-GCM by the Slack adapter): the database never
 * holds a token in clear.
 */
import type { SchemaMigration } from './schema-migration';

export const slackInstallations: SchemaMigration = {
  version: 9,
  name: 'slack_installations (OAuth installs, sealed)',
  sqlite: `
CREATE TABLE slack_installations (
  installation_key    TEXT PRIMARY KEY,
  enterprise_id       TEXT,
  team_id             TEXT,
  enterprise_install  INTEGER NOT NULL CHECK (enterprise_install IN (0, 1)),
  sealed              TEXT NOT NULL,
  installed_at        TEXT NOT NULL
) WITHOUT ROWID;
`,
  postgres: `
CREATE TABLE slack_installations (
  installation_key    text PRIMARY KEY,
  enterprise_id       text,
  team_id             text,
  enterprise_install  boolean NOT NULL,
  sealed              text NOT NULL,
  installed_at        timestamptz NOT NULL
);
`,
};
