/** Scheduled compliance digests: node-cron timers, exactly-once runs over the store, catch-up at start-up. */

export { auditSchedule, failingSinceFromHistory, safeMessage } from './audit-run';
export { type CatchUpDeps, catchUp, RETRY_MARGIN_MS, runKey, settle } from './catch-up';
export {
  floorToMinute,
  latestFireTime,
  MINUTE_MS,
  minuteKey,
  nextFireTime,
  previousFireTime,
} from './cron-time';
export { defaultActionOf, remediationOf } from './default-action';
export { deliver, type Target, targetsOf } from './delivery';
export { forwardTransitions, gapSkippedTimes, offsetMinutes, runKeyTime } from './dst';
export { createScheduler, type FireOptions, type Scheduler, type SchedulerDeps } from './scheduler';
export {
  cronProblem,
  scheduleProblems,
  timeZoneProblem,
  type ValidateOptions,
  validateSchedules,
} from './validate';
