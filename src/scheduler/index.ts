/** Scheduled compliance digests: node-cron timers, exactly-once runs over the store, catch-up at start-up. */

export { auditSchedule, failingSinceFromHistory, safeMessage } from './audit-run';
export { type CatchUpDeps, catchUp } from './catch-up';
export {
  floorToMinute,
  latestFireTime,
  MINUTE_MS,
  minuteKey,
  nextFireTime,
  previousFireTime,
} from './cron-time';
export { deliver, type Target, targetsOf } from './delivery';
export { jsonLog, type SchedulerLog } from './log';
export { createScheduler, type FireOptions, type Scheduler, type SchedulerDeps } from './scheduler';
export {
  cronProblem,
  scheduleProblems,
  timeZoneProblem,
  type ValidateOptions,
  validateSchedules,
} from './validate';
