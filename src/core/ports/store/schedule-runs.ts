/**
 * The scheduled-run store port: exactly-once digests. A run of a schedule at a fire time is claimed under
 * a lease before anything is audited or posted, taken over only when its owner let the lease lapse
 * without completing it, and completed with the summary the next digest compares against.
 */

export interface ScheduleRunRecord {
  scheduleName: string;
  fireTime: string;
  owner: string;
  leaseUntil: string;
  claimedAt: string;
  /** How many times the run was claimed (more than 1 after a takeover from a crashed owner). */
  attempts: number;
  completedAt?: string;
  summary?: unknown;
}

export interface ScheduleRunStore {
  /**
   * Claims the run of `scheduleName` at `fireTime` for `owner` with a lease of `leaseMs`. True for exactly
   * one claimant: the first, or a later one taking over a lease that lapsed before the run was completed
   * (its owner crashed). A completed run is never claimed again.
   */
  claimScheduleRun(
    scheduleName: string,
    fireTime: string,
    owner: string,
    leaseMs: number,
    now: Date,
  ): Promise<boolean>;
  /**
   * Marks the run completed with its summary (what the next digest compares against). Rejects when the
   * run was never claimed or is already completed.
   */
  completeScheduleRun(scheduleName: string, fireTime: string, summary: unknown, now?: Date): Promise<void>;
  getScheduleRun(scheduleName: string, fireTime: string): Promise<ScheduleRunRecord | undefined>;
  /** The completed run with the latest fireTime. */
  lastCompletedScheduleRun(
    scheduleName: string,
  ): Promise<{ fireTime: string; completedAt: string; summary: unknown } | undefined>;
}
