/**
 * Daylight saving time and a schedule's local wall clock. A cron expression names LOCAL times, while
 * run keys are instants, so the two DST transitions need care:
 * - fall-back repeats an hour: node-cron matches both instants of a repeated local minute, so the run key
 *   of a fire time is the EARLIEST instant with the same local minute (`runKeyTime`): both instants of
 *   `01:30 Europe/London` on 2025-10-26 claim the same run, and the digest is posted once;
 * - spring-forward skips an hour: a scheduled local time inside the gap never happens (node-cron cannot
 *   match an instant that does not exist); `gapSkippedTimes` finds such times so the run after the gap
 *   can say so in the log.
 * Offsets are read through Intl (the IANA database Node ships), minute precision.
 */
import { localTime } from '../core/digest';
import { type CronMatcher, floorToMinute, MINUTE_MS } from './cron-time';

/** The largest DST shift looked for (Antarctica/Troll shifts 2 hours; most zones 1 hour, Lord Howe 30 min). */
const MAX_SHIFT_MINUTES = 180;
const SHIFT_STEP_MINUTES = 15;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The run key's instant for a fire time: the earliest instant showing the same local minute. */
export function runKeyTime(fireTime: Date, timeZone: string): Date {
  const t = floorToMinute(fireTime).getTime();
  const wall = localTime(new Date(t), timeZone);
  let earliest = t;
  for (let back = SHIFT_STEP_MINUTES; back <= MAX_SHIFT_MINUTES; back += SHIFT_STEP_MINUTES) {
    const candidate = t - back * MINUTE_MS;
    if (localTime(new Date(candidate), timeZone) === wall) earliest = candidate;
  }
  return new Date(earliest);
}

/** The zone's UTC offset at `at`, in minutes (local = UTC + offset). */
export function offsetMinutes(at: Date, timeZone: string): number {
  const t = floorToMinute(at).getTime();
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})/.exec(localTime(new Date(t), timeZone));
  if (!m) return 0;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return Math.round((Date.UTC(y, mo - 1, d, h, mi) - t) / MINUTE_MS);
}

export interface ForwardTransition {
  /** The first instant on the new (later) offset. */
  at: Date;
  before: number;
  after: number;
}

/** Clocks going forward in (from, to]; at most one transition per day is assumed (true of every zone). */
export function forwardTransitions(from: Date, to: Date, timeZone: string): ForwardTransition[] {
  const out: ForwardTransition[] = [];
  let a = floorToMinute(from).getTime();
  const end = floorToMinute(to).getTime();
  let offA = offsetMinutes(new Date(a), timeZone);
  while (a < end) {
    const b = Math.min(a + DAY_MS, end);
    const offB = offsetMinutes(new Date(b), timeZone);
    if (offB !== offA) {
      // Binary search for the first minute on the new offset.
      let lo = a;
      let hi = b;
      while (hi - lo > MINUTE_MS) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
        if (offsetMinutes(new Date(mid), timeZone) === offA) lo = mid;
        else hi = mid;
      }
      if (offB > offA) out.push({ at: new Date(hi), before: offA, after: offB });
    }
    a = b;
    offA = offB;
  }
  return out;
}

/**
 * The scheduled local times (`2025-03-30 01:30 Europe/London`) that a spring-forward gap in (from, to]
 * swallowed. `utcMatcher` is the schedule's expression evaluated in UTC, so that it can be asked about a
 * local wall-clock time that has no instant in the schedule's own zone.
 */
export function gapSkippedTimes(
  utcMatcher: CronMatcher,
  from: Date,
  to: Date,
  timeZone: string,
  second = 0,
): Array<{ transition: Date; localTime: string }> {
  const out: Array<{ transition: Date; localTime: string }> = [];
  for (const tr of forwardTransitions(from, to, timeZone)) {
    // Local wall times [T + before, T + after) do not exist; as UTC fields they are these instants.
    const first = tr.at.getTime() + tr.before * MINUTE_MS;
    const last = tr.at.getTime() + tr.after * MINUTE_MS;
    for (let wall = first; wall < last; wall += MINUTE_MS) {
      if (!utcMatcher.match(new Date(wall + second * 1000))) continue;
      const iso = new Date(wall).toISOString();
      out.push({ transition: tr.at, localTime: `${iso.slice(0, 10)} ${iso.slice(11, 16)} ${timeZone}` });
    }
  }
  return out;
}
