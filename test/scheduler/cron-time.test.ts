/** Fire-time arithmetic over node-cron's real matcher: previous fire time in a window, next run, keys. */
import fc from 'fast-check';
import { createTask, type ScheduledTask } from 'node-cron';
import { latestFireTime, minuteKey, nextFireTime, previousFireTime } from '../../src/scheduler/cron-time';

const tasks: ScheduledTask[] = [];
function matcher(cron: string, timezone = 'UTC'): ScheduledTask {
  const task = createTask(cron, () => {}, { timezone });
  tasks.push(task);
  return task;
}
afterAll(async () => {
  for (const t of tasks) await t.destroy();
});

test('minuteKey truncates to the minute, in UTC ISO', () => {
  expect(minuteKey(new Date('2025-03-01T07:00:59.999Z'))).toBe('2025-03-01T07:00:00.000Z');
  expect(minuteKey(new Date('2025-03-01T07:00:00.000Z'))).toBe('2025-03-01T07:00:00.000Z');
});

describe('previousFireTime', () => {
  const daily = matcher('0 7 * * *', 'Europe/London');

  test('finds the fire time inside the window, including the current minute', () => {
    const at = (iso: string) => new Date(iso);
    // March 1st: London is on GMT, so 07:00 local is 07:00Z.
    expect(previousFireTime(daily, at('2025-03-01T07:20:00Z'), 60)?.toISOString()).toBe(
      '2025-03-01T07:00:00.000Z',
    );
    expect(previousFireTime(daily, at('2025-03-01T07:00:30Z'), 60)?.toISOString()).toBe(
      '2025-03-01T07:00:00.000Z',
    );
    expect(previousFireTime(daily, at('2025-03-01T08:00:00Z'), 60)?.toISOString()).toBe(
      '2025-03-01T07:00:00.000Z',
    );
    expect(previousFireTime(daily, at('2025-03-01T08:00:01Z'), 60)).toBeUndefined();
    expect(previousFireTime(daily, at('2025-03-01T06:59:59Z'), 60)).toBeUndefined();
  });

  test('honours the time zone across daylight saving time', () => {
    // July: London is on BST (UTC+1), so 07:00 local is 06:00Z.
    expect(previousFireTime(daily, new Date('2025-07-01T06:30:00Z'), 60)?.toISOString()).toBe(
      '2025-07-01T06:00:00.000Z',
    );
    expect(previousFireTime(daily, new Date('2025-07-01T07:30:00Z'), 60)).toBeUndefined();
  });

  test('a fixed second in a six-field expression', () => {
    const m = matcher('30 0 7 * * *');
    expect(previousFireTime(m, new Date('2025-03-01T07:00:29Z'), 10, 30)).toBeUndefined();
    expect(previousFireTime(m, new Date('2025-03-01T07:00:31Z'), 10, 30)?.toISOString()).toBe(
      '2025-03-01T07:00:30.000Z',
    );
  });

  test('property: the result fires, is in the window, and nothing fires after it up to now', () => {
    const exprs = ['*/7 * * * *', '0 */3 * * *', '15 9-17 * * 1-5', '0 0 1 * *', '45 23 * * 0'];
    const ms = exprs.map((e) => matcher(e, 'America/New_York'));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: ms.length - 1 }),
        fc.date({
          min: new Date('2024-01-01T00:00:00Z'),
          max: new Date('2026-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 600 }),
        (i, now, window) => {
          const m = ms[i] as ScheduledTask;
          const found = previousFireTime(m, now, window);
          const lowest = now.getTime() - window * 60_000;
          // Reference: every whole minute in the window, newest first.
          let expected: number | undefined;
          for (let t = Math.floor(now.getTime() / 60_000) * 60_000; t >= lowest; t -= 60_000) {
            if (m.match(new Date(t))) {
              expected = t;
              break;
            }
          }
          expect(found?.getTime()).toBe(expected);
          if (found) expect(m.match(found)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('latestFireTime respects notBefore exactly', () => {
    const hourly = matcher('0 * * * *');
    const now = new Date('2025-03-01T07:30:00Z');
    expect(latestFireTime(hourly, now, new Date('2025-03-01T07:00:00Z'))?.toISOString()).toBe(
      '2025-03-01T07:00:00.000Z',
    );
    expect(latestFireTime(hourly, now, new Date('2025-03-01T07:00:00.001Z'))).toBeUndefined();
  });
});

test('nextFireTime counts from the given instant (an injected clock), in the time zone', () => {
  const weekdays = matcher('0 7 * * 1-5', 'Europe/London');
  // Saturday 2025-03-01 -> Monday 2025-03-03 07:00 GMT; in July, 07:00 BST is 06:00Z.
  expect(nextFireTime(weekdays, new Date('2025-03-01T12:00:00Z'))?.toISOString()).toBe(
    '2025-03-03T07:00:00.000Z',
  );
  expect(nextFireTime(weekdays, new Date('2025-07-04T06:30:00Z'))?.toISOString()).toBe(
    '2025-07-07T06:00:00.000Z',
  );
});
