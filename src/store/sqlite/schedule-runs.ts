/**
 * The SQLite scheduled-run store (table schedule_runs): a claim is an INSERT that only the first claimant
 * makes, or a takeover UPDATE of an uncompleted run whose lease lapsed, in one IMMEDIATE transaction.
 */
import type { ScheduleRunRecord, ScheduleRunStore } from '../../core/ports/store';
import { StoreError } from '../../core/ports/store';
import { completedRunFromRow, type ScheduleRunRow, scheduleRunFromRow } from '../row-mapping';
import { iso, ms, toJson } from '../rows';
import type { SqliteConnection } from './connection';

export class SqliteScheduleRunStore implements ScheduleRunStore {
  constructor(private readonly c: SqliteConnection) {}

  claimScheduleRun(
    scheduleName: string,
    fireTime: string,
    owner: string,
    leaseMs: number,
    now: Date,
  ): Promise<boolean> {
    return this.c.attempt(`claim the run of schedule ${scheduleName} at ${fireTime}`, () => {
      const nowMs = ms(now, 'now');
      const leaseUntil = nowMs + leaseMs;
      return this.c.immediate((): boolean => {
        const inserted = this.c
          .stmt(
            `INSERT INTO schedule_runs (schedule_name, fire_time, owner, lease_until_ms, claimed_at)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (schedule_name, fire_time) DO NOTHING`,
          )
          .run(scheduleName, fireTime, owner, leaseUntil, iso(now, 'now'));
        if (inserted.changes === 1) return true;
        // Take over only a run whose owner let its lease lapse without completing (it crashed).
        const taken = this.c
          .stmt(
            `UPDATE schedule_runs SET owner = ?, lease_until_ms = ?, claimed_at = ?, attempts = attempts + 1
             WHERE schedule_name = ? AND fire_time = ? AND completed_at IS NULL AND lease_until_ms <= ?`,
          )
          .run(owner, leaseUntil, iso(now, 'now'), scheduleName, fireTime, nowMs);
        return taken.changes === 1;
      });
    });
  }

  completeScheduleRun(scheduleName: string, fireTime: string, summary: unknown, now?: Date): Promise<void> {
    return this.c.attempt(`complete the run of schedule ${scheduleName} at ${fireTime}`, () => {
      const result = this.c
        .stmt(
          `UPDATE schedule_runs SET completed_at = ?, summary = ?
           WHERE schedule_name = ? AND fire_time = ? AND completed_at IS NULL`,
        )
        .run(iso(now ?? this.c.now(), 'now'), toJson(summary, 'the run summary'), scheduleName, fireTime);
      if (result.changes !== 1) {
        throw new StoreError(
          `the run of schedule ${scheduleName} at ${fireTime} was never claimed or is already completed`,
        );
      }
    });
  }

  getScheduleRun(scheduleName: string, fireTime: string): Promise<ScheduleRunRecord | undefined> {
    return this.c.attempt(`read the run of schedule ${scheduleName} at ${fireTime}`, () => {
      const row = this.c
        .stmt('SELECT * FROM schedule_runs WHERE schedule_name = ? AND fire_time = ?')
        .get(scheduleName, fireTime) as ScheduleRunRow | undefined;
      return row ? scheduleRunFromRow(row) : undefined;
    });
  }

  lastCompletedScheduleRun(
    scheduleName: string,
  ): Promise<{ fireTime: string; completedAt: string; summary: unknown } | undefined> {
    return this.c.attempt(`read the last completed run of schedule ${scheduleName}`, () => {
      const row = this.c
        .stmt(
          `SELECT * FROM schedule_runs WHERE schedule_name = ? AND completed_at IS NOT NULL
           ORDER BY fire_time DESC LIMIT 1`,
        )
        .get(scheduleName) as ScheduleRunRow | undefined;
      return completedRunFromRow(row);
    });
  }
}
