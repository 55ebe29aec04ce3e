/** The SQLite Slack installation store (table slack_installations): one row per installation key. */
import type { SlackInstallationRecord, SlackInstallationStore } from '../../core/ports/store';
import { type SlackInstallationRow, slackInstallationFromRow, slackInstallationValues } from '../row-mapping';
import type { SqliteConnection } from './connection';

export class SqliteSlackInstallationStore implements SlackInstallationStore {
  constructor(private readonly c: SqliteConnection) {}

  saveSlackInstallation(record: SlackInstallationRecord): Promise<void> {
    return this.c.attempt(`store the Slack installation ${record.key}`, () => {
      const [key, enterprise, team, orgWide, sealed, installedAt] = slackInstallationValues(record);
      this.c
        .stmt(
          `INSERT INTO slack_installations
             (installation_key, enterprise_id, team_id, enterprise_install, sealed, installed_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (installation_key) DO UPDATE SET enterprise_id = excluded.enterprise_id,
             team_id = excluded.team_id, enterprise_install = excluded.enterprise_install,
             sealed = excluded.sealed, installed_at = excluded.installed_at`,
        )
        .run(key, enterprise, team, orgWide ? 1 : 0, sealed, installedAt);
    });
  }

  getSlackInstallation(key: string): Promise<SlackInstallationRecord | undefined> {
    return this.c.attempt(`read the Slack installation ${key}`, () => {
      const row = this.c.stmt('SELECT * FROM slack_installations WHERE installation_key = ?').get(key) as
        | SlackInstallationRow
        | undefined;
      return row ? slackInstallationFromRow(row) : undefined;
    });
  }

  deleteSlackInstallation(key: string): Promise<boolean> {
    return this.c.attempt(`remove the Slack installation ${key}`, () => {
      return this.c.stmt('DELETE FROM slack_installations WHERE installation_key = ?').run(key).changes === 1;
    });
  }

  listSlackInstallations(): Promise<SlackInstallationRecord[]> {
    return this.c.attempt('list the Slack installations', () => {
      const rows = this.c
        .stmt('SELECT * FROM slack_installations ORDER BY installation_key')
        .all() as SlackInstallationRow[];
      return rows.map(slackInstallationFromRow);
    });
  }
}
