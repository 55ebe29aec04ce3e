/**
 * Start-up catch-up of a digest run missed while the bot was down, and the settling of a run whose
 * claim another owner still holds. node-cron has no "previous run", so the latest fire time before now
 * is found by scanning back over the schedule's matcher, no further than the last completed run.
 *
 * Settling one fire time (`settle`):
 * - completed: nothing to do;
 * - claimed by an owner whose lease is still live and not completed: that owner may be posting it now, or
 *   may have crashed after claiming. A one-shot retry is armed at the lease's expiry, which settles the
 *   run again: by then it is completed (nothing to do), or the lease lapsed and the store lets the run be
 *   taken over and posted once. Without this, a crash after claiming lost the digest for good;
 * - within `catch_up_minutes`: fired once (the claim makes "once" hold across restarts and replicas);
 * - older, or superseded by a later completed run: recorded as completed-and-skipped, keeping the
 *   previous digest's baseline, and logged (once, by whoever claims it).
 */

import { DIGEST_SUMMARY_VERSION, type DigestSummary, parseDigestSummary } from '../core/digest';
import type { DigestOutcome } from '../core/ports/digests';
import type { Logger } from '../core/ports/logger';
import type { AuditLogStore, ScheduleRunStore } from '../core/ports/store';
import { type CronMatcher, latestFireTime, MINUTE_MS, minuteKey } from './cron-time';
import { runKeyTime } from './dst';
import type { ScheduleSettings } from './settings';

/** How far back start-up looks for a missed run to report as skipped (beyond catch_up_minutes). */
const SKIP_HORIZON_MINUTES = 7 * 24 * 60;

/** A retry waits this long past the lease's expiry (the store takes over a lease at or after it). */
export const RETRY_MARGIN_MS = 1000;

export interface CatchUpDeps {
  store: ScheduleRunStore & AuditLogStore;
  owner: string;
  leaseMs: number;
  log: Logger;
  clock: { now(): Date };
  fire(scheduleName: string, fireTime: Date, options: { trigger: 'catch-up' }): Promise<DigestOutcome>;
  /** node-cron's matcher for the schedule (its task), honouring the time zone. */
  matcher(schedule: ScheduleSettings): CronMatcher;
  /** Settles `fireTime` again at `at` (a one-shot timer; one per run and process). */
  retryAt(schedule: ScheduleSettings, fireTime: Date, at: Date, holder: { owner: string }): void;
}

/** The run key of a scheduled fire time: its local minute's earliest instant (see dst.ts). */
export function runKey(fireTime: Date, timeZone: string): string {
  return minuteKey(runKeyTime(fireTime, timeZone));
}

async function skipMissed(
  deps: CatchUpDeps,
  schedule: ScheduleSettings,
  key: string,
  previous: DigestSummary,
  now: Date,
  why: 'too-old' | 'superseded',
) {
  const { store } = deps;
  if (!(await store.claimScheduleRun(schedule.name, key, deps.owner, deps.leaseMs, now))) return;
  // The skipped run keeps the previous baseline, so the next digest still compares with what was posted.
  const summary: DigestSummary = {
    ...previous,
    v: DIGEST_SUMMARY_VERSION,
    at: key,
    status: 'carried',
    baselineAt: previous.baselineAt ?? previous.at,
    deliveries: [],
    skipped: true,
  };
  await store.completeScheduleRun(schedule.name, key, summary, now);
  const fields = {
    schedule: schedule.name,
    fireTime: key,
    ageMinutes: Math.floor((now.getTime() - Date.parse(key)) / MINUTE_MS),
    catchUpMinutes: schedule.catch_up_minutes,
  };
  deps.log.warn(
    why === 'too-old'
      ? 'missed digest run skipped: older than catch_up_minutes'
      : 'missed digest run skipped: a later run was already posted',
    fields,
  );
  await store.appendAuditLog({
    at: now.toISOString(),
    kind: 'schedule-skipped',
    actor: { platform: 'system', userId: `schedule:${schedule.name}` },
    platform: 'system',
    detail: fields,
  });
}

/** Decides what a scheduled fire time that may not have been posted needs now (see the module comment). */
export async function settle(deps: CatchUpDeps, schedule: ScheduleSettings, fireTime: Date): Promise<void> {
  const { store } = deps;
  const now = deps.clock.now();
  const key = runKey(fireTime, schedule.timezone);
  const run = await store.getScheduleRun(schedule.name, key);
  if (run?.completedAt !== undefined) return;
  if (run && Date.parse(run.leaseUntil) > now.getTime()) {
    deps.retryAt(schedule, fireTime, new Date(Date.parse(run.leaseUntil) + RETRY_MARGIN_MS), run);
    return;
  }
  const last = await store.lastCompletedScheduleRun(schedule.name);
  const superseded = last !== undefined && Date.parse(last.fireTime) > Date.parse(key);
  const windowMs = schedule.catch_up_minutes * MINUTE_MS;
  if (!superseded && windowMs > 0 && now.getTime() - fireTime.getTime() <= windowMs) {
    deps.log.info(
      run
        ? 'taking over a digest run whose owner stopped before posting it'
        : 'catching up a digest run missed while the bot was down',
      { schedule: schedule.name, fireTime: key, ...(run ? { previousOwner: run.owner } : {}) },
    );
    await deps.fire(schedule.name, fireTime, { trigger: 'catch-up' });
    return;
  }
  const previous = parseDigestSummary(last?.summary);
  if (previous) await skipMissed(deps, schedule, key, previous, now, superseded ? 'superseded' : 'too-old');
}

/** `second`: the cron expression's fixed second (0 for five fields). */
export async function catchUp(deps: CatchUpDeps, schedule: ScheduleSettings, second = 0): Promise<void> {
  const { store } = deps;
  const now = deps.clock.now();
  const windowMs = schedule.catch_up_minutes * MINUTE_MS;
  const last = await store.lastCompletedScheduleRun(schedule.name);
  // Without history there is nothing "missed while down" to report beyond the catch-up window.
  const horizon = last ? Math.max(windowMs, SKIP_HORIZON_MINUTES * MINUTE_MS) : windowMs;
  const notBefore = Math.max(now.getTime() - horizon, last ? Date.parse(last.fireTime) + 1 : -Infinity);
  if (notBefore > now.getTime()) return;
  const prev = latestFireTime(deps.matcher(schedule), now, new Date(notBefore), second);
  if (!prev) return;
  await settle(deps, schedule, prev);
}
