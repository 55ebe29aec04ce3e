/**
 * The PostgreSQL alert-state store (table alert_states): a swap is one statement, an INSERT … ON
 * CONFLICT DO NOTHING when no status is recorded yet, else an UPDATE conditional on the status read
 * (PostgreSQL re-checks the condition on the row's latest version), so one replica wins each change.
 */
import type { AlertStateRecord, AlertStateStore } from '../../core/ports/store';
import { type AlertStateRow, alertStateFromRow, pendingAlertValue } from '../row-mapping';
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
    pendingAlert?: unknown,
  ): Promise<boolean> {
    const what = `record the alert state of ${control} in ${accountId}`;
    const changedAt = iso(at, 'at');
    const pending = pendingAlertValue(pendingAlert);
    const changed =
      expected === undefined
        ? await this.c.count(
            what,
            `INSERT INTO alert_states (account_id, control, status, changed_at, pending_alert)
             VALUES ($1, $2, $3, $4, $5::json)
             ON CONFLICT (account_id, control) DO NOTHING`,
            [accountId, control, next, changedAt, pending],
          )
        : await this.c.count(
            what,
            `UPDATE alert_states SET status = $3, changed_at = $4, pending_alert = $5::json
             WHERE account_id = $1 AND control = $2 AND status = $6`,
            [accountId, control, next, changedAt, pending, expected],
          );
    return changed === 1;
  }

  async clearPendingAlert(accountId: string, control: string, status: string): Promise<boolean> {
    const cleared = await this.c.count(
      `clear the pending alert of ${control} in ${accountId}`,
      `UPDATE alert_states SET pending_alert = NULL
       WHERE account_id = $1 AND control = $2 AND status = $3 AND pending_alert IS NOT NULL`,
      [accountId, control, status],
    );
    return cleared === 1;
  }
}
