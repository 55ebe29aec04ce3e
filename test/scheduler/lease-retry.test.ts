/**
 * A run claimed by an owner that died before posting is not lost: whoever finds it claimed, uncompleted
 * and under a live lease (start-up catch-up, or another replica's timer) arms a one-shot retry at the
 * lease's expiry, which takes the run over and posts it once. Injected clock and timers; the real auditor
 * against the AWS sandbox, the real Slack poster against the fake Slack Web API, one SQLite file shared by
 * every owner.
 */

import { platformCatalog } from '../../src/config/platform-settings';
import { createScheduler, type Scheduler } from '../../src/scheduler';
import { openStore } from '../../src/store';
import {
  captureLog,
  configWith,
  ManualClock,
  ManualTimers,
  sandboxAuditor,
  slackPosts,
  startWorld,
  type World,
} from './helpers';

const MONDAY_0700 = '2025-03-03T07:00:00.000Z';
const LEASE_MS = 15 * 60_000;
const DAILY = { name: 'daily', cron: '0 7 * * 1-5', timezone: 'Europe/London', catch_up_minutes: 60 };
const RETRY_MESSAGE =
  'digest run claimed but not completed by another owner; checking again when its lease ends';

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

function setup(clock: ManualClock, owner: string, schedules: unknown[] = [DAILY]) {
  const config = configWith(schedules, true, false);
  const store = openStore(world.tmp.file('cis.db'));
  const auditor = sandboxAuditor(config, world.sandbox, world.labels);
  const log = captureLog();
  const timers = new ManualTimers(clock);
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
    leaseMs: LEASE_MS,
    setTimer: timers.set,
  });
  opened.push(store, { close: () => auditor.close() });
  schedulers.push(scheduler);
  return { scheduler, store, log, timers };
}

/** Owner "replica-a" claims the run, then its process dies before posting: the claim is all it wrote. */
async function crashedClaim(clock: ManualClock, key = MONDAY_0700): Promise<void> {
  const store = openStore(world.tmp.file('cis.db'));
  expect(await store.claimScheduleRun('daily', key, 'replica-a', LEASE_MS, clock.now())).toBe(true);
  await store.close();
}

test('restart within the dead owner’s lease: the run is retried at the lease’s expiry and posted once', async () => {
  const clock = new ManualClock('2025-03-03T07:00:01Z');
  await crashedClaim(clock);

  // Restarted 5 minutes later: the lease is live, so nothing is posted yet, but a retry is armed.
  clock.set('2025-03-03T07:05:00Z');
  const b = setup(clock, 'boot-b');
  await b.scheduler.start();
  await b.scheduler.idle();
  expect(slackPosts(world.slack)).toHaveLength(0);
  expect(b.timers.pending()).toEqual(['2025-03-03T07:15:02.000Z']);
  expect(b.log.lines).toContainEqual({
    level: 'info',
    message: RETRY_MESSAGE,
    fields: {
      schedule: 'daily',
      fireTime: MONDAY_0700,
      holder: 'replica-a',
      retryAt: '2025-03-03T07:15:02.000Z',
    },
  });

  // A second live owner's timer for the same minute loses the claim and arms its own retry.
  clock.set('2025-03-03T07:06:00Z');
  const c = setup(clock, 'replica-c');
  expect(await c.scheduler.fire('daily', new Date(MONDAY_0700))).toBe('skipped-duplicate');
  expect(c.timers.pending()).toEqual(['2025-03-03T07:15:02.000Z']);

  // Nothing runs early.
  clock.set('2025-03-03T07:15:00Z');
  expect(b.timers.runDue() + c.timers.runDue()).toBe(0);

  // At the expiry both retries run: one takes the run over and posts, the other finds it completed.
  clock.set('2025-03-03T07:15:02Z');
  expect(b.timers.runDue()).toBe(1);
  await b.scheduler.idle();
  expect(c.timers.runDue()).toBe(1);
  await c.scheduler.idle();
  expect(slackPosts(world.slack)).toHaveLength(1);
  expect(slackPosts(world.slack)[0]?.text).toBe('CIS digest "daily": 6 of 7 accounts need attention');
  const run = await b.store.getScheduleRun('daily', MONDAY_0700);
  expect(run).toMatchObject({ owner: 'boot-b', attempts: 2, completedAt: '2025-03-03T07:15:02.000Z' });
  const digests = await b.store.listAuditLog({ kinds: ['digest'] });
  expect(digests).toHaveLength(1);
  expect(digests[0]?.detail).toMatchObject({ fireTime: MONDAY_0700, trigger: 'catch-up' });
  expect(b.log.lines.map((l) => l.message)).toContain(
    'taking over a digest run whose owner stopped before posting it',
  );
  expect(b.timers.pending()).toEqual([]);
  expect(c.timers.pending()).toEqual([]);
});

test('a live owner that completes within its lease: the retry posts nothing', async () => {
  const clock = new ManualClock('2025-03-03T07:00:01Z');
  const a = setup(clock, 'replica-a');
  const b = setup(clock, 'replica-b');
  // b's timer comes while a holds the claim: a finishes first here, so b's check finds it completed.
  const [ra, rb] = await Promise.all([
    a.scheduler.fire('daily', new Date(MONDAY_0700)),
    b.scheduler.fire('daily', new Date(MONDAY_0700)),
  ]);
  expect([ra, rb].sort()).toEqual(['posted', 'skipped-duplicate']);
  clock.set('2025-03-03T07:20:00Z');
  a.timers.runDue();
  b.timers.runDue();
  await a.scheduler.idle();
  await b.scheduler.idle();
  expect(slackPosts(world.slack)).toHaveLength(1);
  expect((await a.store.getScheduleRun('daily', MONDAY_0700))?.attempts).toBe(1);
});

test('stop() cancels a pending retry', async () => {
  const clock = new ManualClock('2025-03-03T07:00:01Z');
  await crashedClaim(clock);
  clock.set('2025-03-03T07:05:00Z');
  const b = setup(clock, 'boot-b');
  await b.scheduler.start();
  expect(b.timers.pending()).toHaveLength(1);
  await b.scheduler.stop();
  expect(b.timers.pending()).toEqual([]);
});

test('the lease ends after catch_up_minutes: the run is recorded as skipped, once, keeping the baseline', async () => {
  const clock = new ManualClock('2025-03-03T07:00:01Z');
  const first = setup(clock, 'boot-1', [{ ...DAILY, catch_up_minutes: 10 }]);
  expect(await first.scheduler.fire('daily', new Date(MONDAY_0700))).toBe('posted');
  await first.scheduler.stop();
  clock.set('2025-03-04T07:00:01Z');
  await crashedClaim(clock, '2025-03-04T07:00:00.000Z');

  clock.set('2025-03-04T07:05:00Z');
  const b = setup(clock, 'boot-b', [{ ...DAILY, catch_up_minutes: 10 }]);
  await b.scheduler.start();
  expect(b.timers.pending()).toEqual(['2025-03-04T07:15:02.000Z']);
  clock.set('2025-03-04T07:15:02Z');
  b.timers.runDue();
  await b.scheduler.idle();
  expect(slackPosts(world.slack)).toHaveLength(1);
  expect(b.log.lines.map((l) => l.message)).toContain(
    'missed digest run skipped: older than catch_up_minutes',
  );
  expect(await b.store.getScheduleRun('daily', '2025-03-04T07:00:00.000Z')).toMatchObject({
    owner: 'boot-b',
    summary: { skipped: true, baselineAt: MONDAY_0700 },
  });
});
