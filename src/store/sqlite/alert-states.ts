/**
 * The SQLite alert-state store (table alert_states): a swap is one statement, an INSERT that only the
 * first writer wins when no status is recorded yet, else an UPDATE conditional on the status read.
 */
import type { AlertStateRecord, AlertStateStore } from '../../core/ports/store';
import { type AlertStateRow, alertStateFromRow, pendingAlertValue } from '../row-mapping';
import { iso } from '../rows';
import type { SqliteConnection } from './connection';

export class SqliteAlertStateStore implements AlertStateStore {
  constructor(private readonly c: SqliteConnection) {}

  getAlertState(accountId: string, control: string): Promise<AlertStateRecord | undefined> {
    return this.c.attempt(`read the alert state of ${control} in ${accountId}`, () => {
      const row = this.c
        .stmt('SELECT * FROM alert_states WHERE account_id = ? AND control = ?')
        .get(accountId, control) as AlertStateRow | undefined;
      return row ? alertStateFromRow(row) : undefined;
    });
  }

  swapAlertState(
    accountId: string,
    control: string,
    expected: string | undefined,
    next: string,
    at: Date,
    pendingAlert?: unknown,
  ): Promise<boolean> {
    return this.c.attempt(`record the alert state of ${control} in ${accountId}`, () => {
      const changedAt = iso(at, 'at');
      const pending = pendingAlertValue(pendingAlert);
      const changed =
        expected === undefined
          ? this.c
              .stmt(
                `INSERT INTO alert_states (account_id, control, status, changed_at, pending_alert) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (account_id, control) DO NOTHING`,
              )
              .run(accountId, control, next, changedAt, pending)
          : this.c
              .stmt(
                `UPDATE alert_states SET status = ?, changed_at = ?, pending_alert = ?
                 WHERE account_id = ? AND control = ? AND status = ?`,
              )
              .run(next, changedAt, pending, accountId, control, expected);
      return changed.changes === 1;
    });
  }

  clearPendingAlert(accountId: string, control: string, status: string): Promise<boolean> {
    return this.c.attempt(`clear the pending alert of ${control} in ${accountId}`, () => {
      const cleared = this.c
        .stmt(
          `UPDATE alert_states SET pending_alert = NULL
           WHERE account_id = ? AND control = ? AND status = ? AND pending_alert IS NOT NULL`,
        )
        .run(accountId, control, status);
      return cleared.changes === 1;
    });
  }
}
