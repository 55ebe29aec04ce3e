/**
 * Daylight saving time with an injected clock: a fall-back repeats a local hour (both instants of a
 * scheduled local minute must post ONE digest), a spring-forward gap swallows a scheduled local time
 * (logged once, by the run after it). Pure wall-clock helpers first, then the scheduler end to end (the
 * real auditor against the AWS sandbox, the real Slack poster against the fake Slack Web API).
 */
import { createTask, type ScheduledTask } from 'node-cron';
import { platformCatalog } from '../../src/config/platform-settings';
import { createScheduler, gapSkippedTimes, runKeyTime, type Scheduler } from '../../src/scheduler';
import { openStore } from '../../src/store';
import {
  captureLog,
  configWith,
  ManualClock,
  sandboxAuditor,
  slackPosts,
  startWorld,
  type World,
} from './helpers';

const NIGHT = { name: 'night', cron: '30 1 * * *', timezone: 'Europe/London', catch_up_minutes: 60 };
// 2025-10-26: London falls back at 02:00 BST to 01:00 GMT, so 01:30 happens at 00:30Z and at 01:30Z.
const FIRST_0130 = '2025-10-26T00:30:00.000Z';
const SECOND_0130 = '2025-10-26T01:30:00.000Z';
const GAP_MESSAGE =
  'scheduled digest time skipped: it did not exist on the local clock (clocks went forward)';

const tasks: ScheduledTask[] = [];
function utc(cron: string) {
  const task = createTask(cron, () => {}, { timezone: 'UTC' });
  tasks.push(task);
  return task;
}
afterAll(async () => {
  for (const t of tasks) await t.destroy();
});

describe('wall-clock helpers', () => {
  test('runKeyTime: both instants of a repeated local minute share the earlier one', () => {
    expect(runKeyTime(new Date(SECOND_0130), 'Europe/London').toISOString()).toBe(FIRST_0130);
    expect(runKeyTime(new Date(FIRST_0130), 'Europe/London').toISOString()).toBe(FIRST_0130);
    // New York falls back on 2025-11-02: 01:30 EDT (05:30Z) and 01:30 EST (06:30Z).
    expect(runKeyTime(new Date('2025-11-02T06:30:45Z'), 'America/New_York').toISOString()).toBe(
      '2025-11-02T05:30:00.000Z',
    );
    // Lord Howe shifts by 30 minutes: 01:45 on 2025-04-06 is 14:45Z (+11) and 15:15Z (+10:30).
    expect(runKeyTime(new Date('2025-04-05T15:15:00Z'), 'Australia/Lord_Howe').toISOString()).toBe(
      '2025-04-05T14:45:00.000Z',
    );
    // Any other minute is its own key, in any zone.
    for (const [at, tz] of [
      ['2025-10-26T02:30:00Z', 'Europe/London'],
      ['2025-10-26T00:30:00Z', 'UTC'],
      ['2025-03-30T01:30:00Z', 'Europe/London'],
    ] as const) {
      expect(runKeyTime(new Date(at), tz).toISOString()).toBe(new Date(at).toISOString());
    }
  });

  test('gapSkippedTimes: scheduled local times inside a spring-forward gap', () => {
    const from = new Date('2025-03-29T00:00:00Z');
    const to = new Date('2025-03-31T00:00:00Z');
    // London springs forward on 2025-03-30 at 01:00 GMT to 02:00 BST.
    expect(gapSkippedTimes(utc('30 1 * * *'), from, to, 'Europe/London').map((g) => g.localTime)).toEqual([
      '2025-03-30 01:30 Europe/London',
    ]);
    expect(gapSkippedTimes(utc('30 1 * * *'), from, to, 'Europe/London')[0]?.transition.toISOString()).toBe(
      '2025-03-30T01:00:00.000Z',
    );
    expect(gapSkippedTimes(utc('*/20 1 * * *'), from, to, 'Europe/London')).toHaveLength(3);
    expect(gapSkippedTimes(utc('30 2 * * *'), from, to, 'Europe/London')).toEqual([]);
    expect(gapSkippedTimes(utc('30 1 * * *'), from, to, 'UTC')).toEqual([]);
    // A fall-back repeats an hour; it skips nothing.
    const autumn = [new Date('2025-10-25T00:00:00Z'), new Date('2025-10-27T00:00:00Z')] as const;
    expect(gapSkippedTimes(utc('30 1 * * *'), ...autumn, 'Europe/London')).toEqual([]);
    // Lord Howe springs forward 30 minutes on 2025-10-05 (02:00 -> 02:30).
    const lh = gapSkippedTimes(
      utc('15 2 * * *'),
      new Date('2025-10-04T00:00:00Z'),
      new Date('2025-10-06T00:00:00Z'),
      'Australia/Lord_Howe',
    );
    expect(lh.map((g) => g.localTime)).toEqual(['2025-10-05 02:15 Australia/Lord_Howe']);
  });
});

describe('the scheduler across DST', () => {
  let world: World;
  const opened: Array<{ close(): unknown }> = [];
  const schedulers: Scheduler[] = [];

  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop();
    for (const o of opened.splice(0)) await o.close();
    await world.close();
  });

  function setup(clock: ManualClock, owner: string) {
    const config = configWith([NIGHT], true, false);
    const store = openStore(world.tmp.file('cis.db'));
    const auditor = sandboxAuditor(config, world.sandbox, world.labels);
    const log = captureLog();
    const scheduler = createScheduler({
      config,
      platforms: platformCatalog(config),
      auditor,
      store,
      posters: world.posters,
      clock,
      owner,
      log,
      startTimers: false,
    });
    opened.push(store, { close: () => auditor.close() });
    schedulers.push(scheduler);
    return { scheduler, store, log };
  }

  test('fall-back: the repeated 01:30 posts once, by timer or by catch-up after a restart', async () => {
    const clock = new ManualClock('2025-10-26T00:30:01Z');
    const first = setup(clock, 'boot-1');
    expect(await first.scheduler.fire('night', new Date(FIRST_0130))).toBe('posted');
    // The timer of the second 01:30 (node-cron matches it too) is the same local run.
    clock.set('2025-10-26T01:30:01Z');
    expect(await first.scheduler.fire('night', new Date(SECOND_0130))).toBe('skipped-duplicate');
    await first.scheduler.stop();

    // A restart 15 minutes after the second 01:30, within catch_up_minutes: nothing to catch up.
    clock.set('2025-10-26T01:45:00Z');
    const second = setup(clock, 'boot-2');
    await second.scheduler.start();
    await second.scheduler.idle();
    expect(slackPosts(world.slack)).toHaveLength(1);
    expect(await second.store.getScheduleRun('night', SECOND_0130)).toBeUndefined();
    expect(await second.store.getScheduleRun('night', FIRST_0130)).toMatchObject({ owner: 'boot-1' });
    expect(await second.store.listAuditLog({ kinds: ['digest'] })).toHaveLength(1);
  });

  test('fall-back: down through the first 01:30, the second one is caught up once', async () => {
    const clock = new ManualClock('2025-10-26T01:45:00Z');
    const a = setup(clock, 'boot-1');
    await a.scheduler.start();
    await a.scheduler.idle();
    const b = setup(clock, 'boot-2');
    await b.scheduler.start();
    await b.scheduler.idle();
    expect(slackPosts(world.slack)).toHaveLength(1);
    expect(slackPosts(world.slack)[0]?.blocks).toContain('2025-10-26 01:30 Europe/London');
    const [entry] = await a.store.listAuditLog({ kinds: ['digest'] });
    expect(entry?.detail).toMatchObject({ fireTime: FIRST_0130, trigger: 'catch-up' });
  });

  test('spring-forward: the swallowed 01:30 is logged once, by the run after the gap', async () => {
    const clock = new ManualClock('2025-03-29T01:30:01Z');
    const a = setup(clock, 'replica-a');
    expect(await a.scheduler.fire('night', new Date('2025-03-29T01:30:00Z'))).toBe('posted');
    expect(a.log.lines.map((l) => l.message)).not.toContain(GAP_MESSAGE);

    // 2025-03-30 01:30 London does not exist; the next run is 2025-03-31 01:30 BST (00:30Z).
    clock.set('2025-03-31T00:30:01Z');
    expect(await a.scheduler.fire('night', new Date('2025-03-31T00:30:00Z'))).toBe('posted');
    const gaps = a.log.lines.filter((l) => l.message === GAP_MESSAGE);
    expect(gaps).toEqual([
      {
        level: 'warn',
        message: GAP_MESSAGE,
        fields: {
          schedule: 'night',
          localTime: '2025-03-30 01:30 Europe/London',
          nextRun: '2025-03-31T00:30:00.000Z',
        },
      },
    ]);
    // A second replica firing the same run does not repeat it; nor does the run after.
    const b = setup(clock, 'replica-b');
    expect(await b.scheduler.fire('night', new Date('2025-03-31T00:30:00Z'))).toBe('skipped-duplicate');
    expect(b.log.lines.map((l) => l.message)).not.toContain(GAP_MESSAGE);
    clock.set('2025-04-01T00:30:01Z');
    expect(await a.scheduler.fire('night', new Date('2025-04-01T00:30:00Z'))).toBe('posted');
    expect(a.log.lines.filter((l) => l.message === GAP_MESSAGE)).toHaveLength(1);
  });
});
