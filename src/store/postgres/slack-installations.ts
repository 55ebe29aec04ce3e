/** The PostgreSQL Slack installation store (table slack_installations): one row per installation key. */
import type { SlackInstallationRecord, SlackInstallationStore } from '../../core/ports/store';
import { type SlackInstallationRow, slackInstallationFromRow, slackInstallationValues } from '../row-mapping';
import type { PgConnection } from './connection';

export class PostgresSlackInstallationStore implements SlackInstallationStore {
  constructor(private readonly c: PgConnection) {}

  async saveSlackInstallation(record: SlackInstallationRecord): Promise<void> {
    await this.c.count(
      `store the Slack installation ${record.key}`,
      `INSERT INTO slack_installations
         (installation_key, enterprise_id, team_id, enterprise_install, sealed, installed_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (installation_key) DO UPDATE SET enterprise_id = excluded.enterprise_id,
         team_id = excluded.team_id, enterprise_install = excluded.enterprise_install,
         sealed = excluded.sealed, installed_at = excluded.installed_at`,
      slackInstallationValues(record),
    );
  }

  async getSlackInstallation(key: string): Promise<SlackInstallationRecord | undefined> {
    const [row] = await this.c.rows<SlackInstallationRow>(
      `read the Slack installation ${key}`,
      'SELECT * FROM slack_installations WHERE installation_key = $1',
      [key],
    );
    return row ? slackInstallationFromRow(row) : undefined;
  }

  async deleteSlackInstallation(key: string): Promise<boolean> {
    const removed = await this.c.count(
      `remove the Slack installation ${key}`,
      'DELETE FROM slack_installations WHERE installation_key = $1',
      [key],
    );
    return removed === 1;
  }

  async listSlackInstallations(): Promise<SlackInstallationRecord[]> {
    const rows = await this.c.rows<SlackInstallationRow>(
      'list the Slack installations',
      // Byte order, as SQLite's: the database's collation must not decide.
      'SELECT * FROM slack_installations ORDER BY installation_key COLLATE "C"',
      [],
    );
    return rows.map(slackInstallationFromRow);
  }
}
