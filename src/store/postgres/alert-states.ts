/**
 * The PostgreSQL alert-state store (table alert_states): a swap is one statement, an INSERT … ON
 * CONFLICT DO NOTHING when no status is recorded yet, else an UPDATE conditional on the status read
 * (PostgreSQL re-checks the condition on the row's latest version), so one replica wins each change.
 */
import type { AlertStateRecord, AlertStateStore } from '../../core/ports/store';
import { type AlertStateRow, alertStateFromRow } from '../row-mapping';
import { iso } from '../rows';
import type { PgConnection } from './connection';

export class PostgresAlertStateStore implements AlertStateStore {
  constructor(private readonly c: PgConnection) {}

  async getAlertState(accountId: string, control: string): Promise<AlertStateRecord | undefined> {
    const [row] = await this.c.rows<AlertStateRow>(
      `read the alert state of ${control} in ${accountId}`,
      'SELECT * FROM alert_states WHERE account_id = $1 AND control = $2',
      [accountId, control],
    );
    return row ? alertStateFromRow(row) : undefined;
  }

  async swapAlertState(
    accountId: string,
    control: string,
    expected: string | undefined,
    next: string,
    at: Date,
  ): Promise<boolean> {
    const what = `record the alert state of ${control} in ${accountId}`;
    const changedAt = iso(at, 'at');
    const changed =
      expected === undefined
        ? await this.c.count(
            what,
            `INSERT INTO alert_states (account_id, control, status, changed_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id, control) DO NOTHING`,
            [accountId, control, next, changedAt],
          )
        : await this.c.count(
            what,
            'UPDATE alert_states SET status = $3, changed_at = $4 WHERE account_id = $1 AND control = $2 AND status = $5',
            [accountId, control, next, changedAt, expected],
          );
    return changed === 1;
  }
}
