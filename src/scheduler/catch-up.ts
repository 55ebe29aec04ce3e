/**
 * Start-up catch-up of a digest run missed while the bot was down. node-cron has no "previous run", so
 * the latest fire time before now is found by scanning back over the schedule's matcher, no further than
 * the last completed run. Within `catch_up_minutes` it is fired once (the claim makes "once" hold across
 * restarts and replicas); older, it is recorded as completed-and-skipped, keeping the previous digest's
 * baseline, and logged (once, by whoever claims it).
 */
import type { ScheduleConfig } from '../config/schema';
import {
  DIGEST_SUMMARY_VERSION,
  type DigestOutcome,
  type DigestSummary,
  parseDigestSummary,
} from '../core/digest';
import type { Store } from '../core/ports/store';
import { type CronMatcher, latestFireTime, MINUTE_MS, minuteKey } from './cron-time';
import type { SchedulerLog } from './log';

/** How far back start-up looks for a missed run to report as skipped (beyond catch_up_minutes). */
const SKIP_HORIZON_MINUTES = 7 * 24 * 60;

export interface CatchUpDeps {
  store: Store;
  owner: string;
  leaseMs: number;
  log: SchedulerLog;
  clock: { now(): Date };
  fire(scheduleName: string, fireTime: Date, options: { trigger: 'catch-up' }): Promise<DigestOutcome>;
  /** node-cron's matcher for the schedule (its task), honouring the time zone. */
  matcher(schedule: ScheduleConfig): CronMatcher;
}

async function skipMissed(
  deps: CatchUpDeps,
  schedule: ScheduleConfig,
  key: string,
  previous: DigestSummary,
  now: Date,
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
  deps.log.warn('missed digest run skipped: older than catch_up_minutes', fields);
  await store.appendAuditLog({
    at: now.toISOString(),
    kind: 'schedule-skipped',
    actor: { platform: 'system', userId: `schedule:${schedule.name}` },
    platform: 'system',
    detail: fields,
  });
}

/** `second`: the cron expression's fixed second (0 for five fields). */
export async function catchUp(deps: CatchUpDeps, schedule: ScheduleConfig, second = 0): Promise<void> {
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
  const key = minuteKey(prev);
  const run = await store.getScheduleRun(schedule.name, key);
  if (run?.completedAt !== undefined) return;
  if (windowMs > 0 && now.getTime() - prev.getTime() <= windowMs) {
    deps.log.info('catching up a digest run missed while the bot was down', {
      schedule: schedule.name,
      fireTime: key,
    });
    await deps.fire(schedule.name, prev, { trigger: 'catch-up' });
    return;
  }
  const previous = parseDigestSummary(last?.summary);
  if (previous) await skipMissed(deps, schedule, key, previous, now);
}
