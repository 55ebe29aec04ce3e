/**
 * The PostgreSQL scheduled-run store (table schedule_runs). A claim is one INSERT … ON CONFLICT DO UPDATE:
 * the first claimant inserts; a later one takes the run over only when it is uncompleted and its lease
 * lapsed (the owner crashed). PostgreSQL locks the conflicting row and re-checks the condition on its
 * latest version, so of any number of replicas claiming at once exactly one wins.
 */
import type { ScheduleRunRecord, ScheduleRunStore } from '../../core/ports/store';
import { StoreError } from '../../core/ports/store';
import { completedRunFromRow, type ScheduleRunRow, scheduleRunFromRow } from '../row-mapping';
import { iso, ms, toJson } from '../rows';
import type { PgConnection } from './connection';

export class PostgresScheduleRunStore implements ScheduleRunStore {
  constructor(private readonly c: PgConnection) {}

  async claimScheduleRun(
    scheduleName: string,
    fireTime: string,
    owner: string,
    leaseMs: number,
    now: Date,
  ): Promise<boolean> {
    const nowMs = ms(now, 'now');
    const claimed = await this.c.count(
      `claim the run of schedule ${scheduleName} at ${fireTime}`,
      `INSERT INTO schedule_runs (schedule_name, fire_time, owner, lease_until_ms, claimed_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (schedule_name, fire_time) DO UPDATE
         SET owner = EXCLUDED.owner, lease_until_ms = EXCLUDED.lease_until_ms,
             claimed_at = EXCLUDED.claimed_at, attempts = schedule_runs.attempts + 1
         WHERE schedule_runs.completed_at IS NULL AND schedule_runs.lease_until_ms <= $6`,
      [scheduleName, fireTime, owner, nowMs + leaseMs, iso(now, 'now'), nowMs],
    );
    return claimed === 1;
  }

  async completeScheduleRun(
    scheduleName: string,
    fireTime: string,
    summary: unknown,
    now?: Date,
  ): Promise<void> {
    const what = `complete the run of schedule ${scheduleName} at ${fireTime}`;
    const completed = await this.c.count(
      what,
      `UPDATE schedule_runs SET completed_at = $1, summary = $2
       WHERE schedule_name = $3 AND fire_time = $4 AND completed_at IS NULL`,
      [iso(now ?? this.c.now(), 'now'), toJson(summary, 'the run summary'), scheduleName, fireTime],
    );
    if (completed !== 1) {
      throw new StoreError(
        `the run of schedule ${scheduleName} at ${fireTime} was never claimed or is already completed`,
      );
    }
  }

  async getScheduleRun(scheduleName: string, fireTime: string): Promise<ScheduleRunRecord | undefined> {
    const [row] = await this.c.rows<ScheduleRunRow>(
      `read the run of schedule ${scheduleName} at ${fireTime}`,
      'SELECT * FROM schedule_runs WHERE schedule_name = $1 AND fire_time = $2',
      [scheduleName, fireTime],
    );
    return row ? scheduleRunFromRow(row) : undefined;
  }

  async lastCompletedScheduleRun(
    scheduleName: string,
  ): Promise<{ fireTime: string; completedAt: string; summary: unknown } | undefined> {
    // Fire times are ISO text: byte order ("C") is time order whatever the database's collation.
    const [row] = await this.c.rows<ScheduleRunRow>(
      `read the last completed run of schedule ${scheduleName}`,
      `SELECT * FROM schedule_runs WHERE schedule_name = $1 AND completed_at IS NOT NULL
       ORDER BY fire_time COLLATE "C" DESC LIMIT 1`,
      [scheduleName],
    );
    return completedRunFromRow(row);
  }
}
