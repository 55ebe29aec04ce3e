/**
 * Fire-time arithmetic over a cron matcher (node-cron's `task.match(date)`, which honours the task's
 * time zone): the run key (fire time truncated to the minute), the latest fire time in a window before
 * now (node-cron has no "previous run"), and the next fire time after a given instant.
 *
 * The backward scan walks whole minutes (plus the expression's fixed second), so it costs one match per
 * minute of window; windows are bounded by the caller (catch_up_minutes is at most 7 days).
 */

export const MINUTE_MS = 60_000;

export interface CronMatcher {
  match(date: Date): boolean;
}

export function floorToMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);
}

/** The run key of a scheduled fire time: ISO, truncated to the minute (`2025-03-01T07:00:00.000Z`). */
export function minuteKey(at: Date): string {
  return floorToMinute(at).toISOString();
}

/**
 * The latest instant t with notBefore <= t <= notAfter that the matcher fires at, or undefined.
 * `second` is the expression's fixed second (0 for five-field expressions).
 */
export function latestFireTime(
  matcher: CronMatcher,
  notAfter: Date,
  notBefore: Date,
  second = 0,
): Date | undefined {
  const lowest = notBefore.getTime();
  let t = floorToMinute(notAfter).getTime() + second * 1000;
  if (t > notAfter.getTime()) t -= MINUTE_MS;
  for (; t >= lowest; t -= MINUTE_MS) {
    const candidate = new Date(t);
    if (matcher.match(candidate)) return candidate;
  }
  return undefined;
}

/** The latest fire time at or before `now` and at most `windowMinutes` old. */
export function previousFireTime(
  matcher: CronMatcher,
  now: Date,
  windowMinutes: number,
  second = 0,
): Date | undefined {
  return latestFireTime(matcher, now, new Date(now.getTime() - windowMinutes * MINUTE_MS), second);
}

/** The slice of node-cron's ScheduledTask used to find the next run. */
export interface NextRunSource {
  getNextRuns(count: number): Date[];
}

interface InternalMatcher {
  getNextMatch(date: Date): Date;
}

/**
 * The next fire time strictly after `after`. node-cron's public getNextRuns() counts from the wall
 * clock; its task's internal matcher can count from any instant (an injected clock), so it is used when
 * present, feature-detected because it is not part of the typed API.
 */
export function nextFireTime(task: NextRunSource, after: Date): Date | undefined {
  const internal = (task as { timeMatcher?: Partial<InternalMatcher> }).timeMatcher;
  if (internal && typeof internal.getNextMatch === 'function') {
    const next = internal.getNextMatch(after);
    if (next instanceof Date && !Number.isNaN(next.getTime())) return next;
  }
  return task.getNextRuns(1)[0];
}
