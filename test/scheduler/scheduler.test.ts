/**
 * The scheduler end to end with an injected clock: the real auditor against the AWS sandbox, the real
 * Slack poster against the fake Slack Web API, the real Teams adapter's poster against the fake Bot
 * Connector, and a SQLite file store.
 */
import { CloudWatchLogsClient, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { platformCatalog } from '../../src/config/platform-settings';
import { UsageError } from '../../src/core/errors';
import { ACTION_REMEDIATE } from '../../src/core/ports/chat';
import { createScheduler, type Scheduler } from '../../src/scheduler';
import { openStore, type SqliteStore } from '../../src/store';
import {
  captureLog,
  configWith,
  ManualClock,
  SLACK_CHANNEL,
  sandboxAuditor,
  slackPosts,
  startWorld,
  TEAMS_CONVERSATION,
  type World,
} from './helpers';

// Monday 2025-03-03 07:00 in London (GMT, so 07:00Z).
const MONDAY_0700 = '2025-03-03T07:00:00.000Z';
const TUESDAY_0700 = '2025-03-04T07:00:00.000Z';
const DAILY = { name: 'daily', cron: '0 7 * * 1-5', timezone: 'Europe/London', catch_up_minutes: 60 };

let world: World;
const opened: Array<{ close(): unknown }> = [];
const schedulers: Scheduler[] = [];

beforeEach(async () => {
  world = await startWorld({ notInChannel: ['C0GONE0001'] });
});
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
  for (const o of opened.splice(0)) await o.close();
  await world.close();
});

function setup(options: { schedules?: unknown[]; clock: ManualClock; owner: string; db?: string }) {
  const config = configWith(options.schedules ?? [DAILY]);
  const store: SqliteStore = openStore(options.db ?? world.tmp.file('cis.db'));
  const auditor = sandboxAuditor(config, world.sandbox, world.labels);
  const log = captureLog();
  const scheduler = createScheduler({
    config,
    platforms: platformCatalog(config),
    auditor,
    store,
    posters: world.posters,
    clock: options.clock,
    owner: options.owner,
    log,
    startTimers: false,
  });
  opened.push(store, { close: () => auditor.close() });
  schedulers.push(scheduler);
  return { scheduler, store, log };
}

test('a scheduled run posts the digest to Slack and Teams, once per schedule and minute', async () => {
  const clock = new ManualClock('2025-03-03T07:00:02Z');
  const a = setup({ clock, owner: 'replica-a' });
  expect(await a.scheduler.fire('daily', new Date(MONDAY_0700))).toBe('posted');

  const posts = slackPosts(world.slack);
  expect(posts).toHaveLength(1);
  expect(posts[0]?.text).toBe('CIS digest "daily": 6 of 7 accounts need attention');
  // The items to fix continue in the thread, with Remediate buttons carrying control and account.
  const thread = posts[0]?.replies.join('\n') ?? '';
  expect(thread).toContain(ACTION_REMEDIATE);
  expect(thread).toContain(
    JSON.stringify(JSON.stringify({ control: '4.1', accountId: '222222222222' })).slice(1, -1),
  );
  const teams = world.teams.connector.messages();
  expect(teams.map((m) => m.conversationId)).toEqual(teams.map(() => TEAMS_CONVERSATION));
  expect(teams[0]?.activity.summary).toBe('CIS digest "daily": 6 of 7 accounts need attention');
  expect(JSON.stringify(teams.map((m) => m.activity.attachments))).toContain('Remediate 222222222222');

  // The same minute again: in this process, and from a second replica on another connection.
  clock.set('2025-03-03T07:00:40Z');
  expect(await a.scheduler.fire('daily', new Date('2025-03-03T07:00:30Z'))).toBe('skipped-duplicate');
  const b = setup({ clock, owner: 'replica-b' });
  expect(await b.scheduler.fire('daily', new Date(MONDAY_0700))).toBe('skipped-duplicate');
  expect(slackPosts(world.slack)).toHaveLength(1);
  expect(world.teams.connector.messages()).toHaveLength(teams.length);

  const run = await b.store.getScheduleRun('daily', MONDAY_0700);
  expect(run).toMatchObject({ owner: 'replica-a', attempts: 1, completedAt: '2025-03-03T07:00:02.000Z' });
  expect(run?.summary).toMatchObject({
    schedule: 'daily',
    at: MONDAY_0700,
    counts: { total: 7, compliant: 1, nonCompliant: 5, error: 1 },
    deliveries: [
      { platform: 'slack', id: SLACK_CHANNEL },
      { platform: 'teams', id: TEAMS_CONVERSATION },
    ],
  });
  const [entry] = await b.store.listAuditLog({ kinds: ['digest'] });
  expect(entry).toMatchObject({
    kind: 'digest',
    actor: { platform: 'system', userId: 'schedule:daily' },
    control: '4.1',
    detail: { schedule: 'daily', fireTime: MONDAY_0700, trigger: 'scheduled', outcome: 'posted' },
  });
  // Every audit behind the digest is in the history.
  expect((await b.store.latestFindings('4.1')).map((f) => f.trigger)).toEqual(Array(7).fill('schedule'));
});

test('two runs with a fix in between: the second digest names the fix', async () => {
  const clock = new ManualClock('2025-03-03T07:00:01Z');
  const { scheduler, store } = setup({ clock, owner: 'replica-a' });
  expect(await scheduler.fire('daily', new Date(MONDAY_0700))).toBe('posted');

  // Dev's metric filter missed "*UnauthorizedOperation"; its owner puts the CIS pattern in place (through
  // the SDK, as the remediation would), keeping the filter's name, metric and namespace.
  const dev = new CloudWatchLogsClient({
    region: 'eu-west-2',
    endpoint: world.sandbox.endpoint,
    credentials: world.sandbox.credentialsFor('333333333333'),
    maxAttempts: 1,
  });
  await dev.send(
    new PutMetricFilterCommand({
      logGroupName: 'cloudtrail',
      filterName: 'access-denied',
      filterPattern:
        '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
      metricTransformations: [
        { metricName: 'unauthorized_api_calls_metric', metricNamespace: 'CISBenchmark', metricValue: '1' },
      ],
    }),
  );
  dev.destroy();

  clock.set('2025-03-04T07:00:03Z');
  expect(await scheduler.fire('daily', new Date(TUESDAY_0700))).toBe('posted');
  const [monday, tuesday] = slackPosts(world.slack);
  expect(monday?.blocks).toContain('First digest of this schedule');
  expect(tuesday?.text).toBe('CIS digest "daily": 5 of 7 accounts need attention (1 fixed)');
  expect(tuesday?.blocks).toContain('Since the previous digest (2025-03-03 07:00 Europe/London):');
  expect(tuesday?.blocks).toContain('Fixed: 333333333333 (dev)');
  expect(tuesday?.blocks).toMatch(/Still failing: [^"]*222222222222 \(staging\) for 1 day/);
  expect(tuesday?.replies.join('\n')).not.toContain('Remediate 333333333333');
  const teamsText = JSON.stringify(world.teams.connector.messages().map((m) => m.activity));
  expect(teamsText).toContain('Fixed: 333333333333 (dev)');

  const summary = (await store.getScheduleRun('daily', TUESDAY_0700))?.summary as {
    entries: Array<{ accountId: string; status: string; failingSince?: string }>;
  };
  expect(summary.entries.find((e) => e.accountId === '333333333333')).toMatchObject({ status: 'COMPLIANT' });
  expect(summary.entries.find((e) => e.accountId === '222222222222')).toMatchObject({
    status: 'NON_COMPLIANT',
    failingSince: MONDAY_0700,
  });
  const [entry] = await store.listAuditLog({ kinds: ['digest'], limit: 1 });
  expect(entry?.detail).toMatchObject({
    fixed: [{ control: '4.1', accountId: '333333333333' }],
    newlyFailing: [],
  });
});

test('a run missed while down is caught up once; a second start does not repost', async () => {
  const clock = new ManualClock('2025-03-03T07:20:00Z');
  const first = setup({ clock, owner: 'boot-1' });
  await first.scheduler.start();
  expect(slackPosts(world.slack)).toHaveLength(1);
  expect(first.log.lines).toContainEqual({
    level: 'info',
    message: 'catching up a digest run missed while the bot was down',
    fields: { schedule: 'daily', fireTime: MONDAY_0700 },
  });
  const [entry] = await first.store.listAuditLog({ kinds: ['digest'] });
  expect(entry?.detail).toMatchObject({ fireTime: MONDAY_0700, trigger: 'catch-up' });
  await first.scheduler.stop();

  clock.set('2025-03-03T07:25:00Z');
  const second = setup({ clock, owner: 'boot-2' });
  await second.scheduler.start();
  expect(slackPosts(world.slack)).toHaveLength(1);
  expect(second.log.lines.map((l) => l.message)).not.toContain(
    'catching up a digest run missed while the bot was down',
  );
});

test('a missed run older than catch_up_minutes is skipped with a log line, once, keeping the baseline', async () => {
  const clock = new ManualClock('2025-03-03T07:00:01Z');
  const first = setup({ clock, owner: 'boot-1' });
  expect(await first.scheduler.fire('daily', new Date(MONDAY_0700))).toBe('posted');
  await first.scheduler.stop();

  // Down until Wednesday 09:00: Tuesday's and Wednesday's 07:00 runs were missed; Wednesday's is 2 h old.
  clock.set('2025-03-05T09:00:00Z');
  const second = setup({ clock, owner: 'boot-2' });
  await second.scheduler.start();
  expect(slackPosts(world.slack)).toHaveLength(1);
  const skipped = {
    level: 'warn',
    message: 'missed digest run skipped: older than catch_up_minutes',
    fields: { schedule: 'daily', fireTime: '2025-03-05T07:00:00.000Z', ageMinutes: 120, catchUpMinutes: 60 },
  };
  expect(second.log.lines).toContainEqual(skipped);
  expect(await second.store.listAuditLog({ kinds: ['schedule-skipped'] })).toHaveLength(1);
  await second.scheduler.stop();

  const third = setup({ clock, owner: 'boot-3' });
  await third.scheduler.start();
  expect(third.log.lines).not.toContainEqual(skipped);
  expect(await third.store.listAuditLog({ kinds: ['schedule-skipped'] })).toHaveLength(1);

  // Thursday's digest still compares with Monday's, the last one posted.
  clock.set('2025-03-06T07:00:01Z');
  expect(await third.scheduler.fire('daily', new Date('2025-03-06T07:00:00Z'))).toBe('posted');
  const thursday = slackPosts(world.slack)[1];
  expect(thursday?.blocks).toContain('Since the previous digest (2025-03-03 07:00 Europe/London):');
  expect(thursday?.blocks).toMatch(/333333333333 \(dev\) for 3 days/);
});

test('runNow returns the cards for the caller, or posts to the targets and records the run', async () => {
  const clock = new ManualClock('2025-03-03T10:15:30.250Z');
  const { scheduler, store } = setup({ clock, owner: 'replica-a' });

  const shown = await scheduler.runNow(
    'daily',
    { platform: 'slack', userId: 'U0MEGAN' },
    { deliver: 'none' },
  );
  expect(shown.outcome).toBe('returned');
  expect(shown.cards[0]?.summary).toBe('CIS digest "daily": 6 of 7 accounts need attention');
  expect(shown.cards[0]?.elements.at(-1)).toEqual({
    type: 'context',
    text: 'Digest on demand · 2025-03-03 10:15 Europe/London · CIS AWS Foundations v4.0.0',
  });
  expect(slackPosts(world.slack)).toHaveLength(0);
  expect(await store.lastCompletedScheduleRun('daily')).toBeUndefined();

  const posted = await scheduler.runNow(undefined, { platform: 'teams', userId: 'aad-megan' });
  expect(posted.outcome).toBe('posted');
  expect(posted.receipt.summary).toBe(
    `Digest "daily" posted to Slack ${SLACK_CHANNEL}, Teams ${TEAMS_CONVERSATION}.`,
  );
  expect(slackPosts(world.slack)).toHaveLength(1);
  expect(await store.lastCompletedScheduleRun('daily')).toMatchObject({
    fireTime: '2025-03-03T10:15:30.250Z',
  });
  const [entry] = await store.listAuditLog({ kinds: ['digest'] });
  expect(entry).toMatchObject({
    actor: { platform: 'teams', userId: 'aad-megan' },
    detail: { trigger: 'on-demand' },
  });
  expect((await store.latestFindings('4.1'))[0]?.trigger).toBe('teams');

  await expect(scheduler.runNow('weekly')).rejects.toThrow(UsageError);
  await expect(scheduler.runNow('weekly')).rejects.toThrow('Unknown schedule "weekly". Schedules: daily.');
});

test('a schedule of the section (controls: ["4"]) audits its 16 controls in one pass and digests them all', async () => {
  const clock = new ManualClock('2025-03-03T10:15:30.250Z');
  const { scheduler, store } = setup({
    clock,
    owner: 'replica-a',
    schedules: [{ ...DAILY, name: 'section', controls: ['4'] }],
  });
  world.sandbox.resetCalls();
  const shown = await scheduler.runNow(
    'section',
    { platform: 'slack', userId: 'U0MEGAN' },
    { deliver: 'none' },
  );
  expect(shown.cards[0]?.summary).toBe('CIS digest "section": 111 of 112 account checks need attention');
  // One collection per account: one DescribeTrails for every member, not one per control.
  const trails = world.sandbox.calls.filter((c) => c.operation === 'DescribeTrails');
  expect(trails).toHaveLength(7);
  for (const id of ['4.1', '4.7', '4.16']) expect(await store.latestFindings(id)).toHaveLength(7);
  expect(scheduler.list()[0]?.controls).toHaveLength(16);
});

test('list shows each schedule and its next run from the clock', () => {
  const clock = new ManualClock('2025-03-01T12:00:00Z'); // a Saturday
  const { scheduler } = setup({
    clock,
    owner: 'a',
    schedules: [DAILY, { name: 'weekly', cron: '30 8 * * 1', timezone: 'America/New_York', level: 'error' }],
  });
  expect(scheduler.list()).toEqual([
    {
      name: 'daily',
      cron: '0 7 * * 1-5',
      timezone: 'Europe/London',
      level: 'info',
      controls: ['4.1'],
      targets: { slack: [SLACK_CHANNEL], teams: [TEAMS_CONVERSATION] },
      nextRun: '2025-03-03T07:00:00.000Z',
      nextRunLocal: '2025-03-03 07:00 Europe/London',
    },
    {
      name: 'weekly',
      cron: '30 8 * * 1',
      timezone: 'America/New_York',
      level: 'error',
      controls: ['4.1'],
      targets: { slack: [SLACK_CHANNEL], teams: [TEAMS_CONVERSATION] },
      nextRun: '2025-03-03T13:30:00.000Z',
      nextRunLocal: '2025-03-03 08:30 America/New_York',
    },
  ]);
});

test('a target that refuses the post does not keep the digest from the others', async () => {
  const clock = new ManualClock('2025-03-03T07:00:01Z');
  const { scheduler, store, log } = setup({
    clock,
    owner: 'a',
    schedules: [{ ...DAILY, targets: { slack: ['C0GONE0001', SLACK_CHANNEL], teams: [TEAMS_CONVERSATION] } }],
  });
  expect(await scheduler.fire('daily', new Date(MONDAY_0700))).toBe('partially-posted');
  expect(slackPosts(world.slack)).toHaveLength(1);
  expect(world.teams.connector.messages().length).toBeGreaterThan(0);
  const run = await store.getScheduleRun('daily', MONDAY_0700);
  expect(run?.summary).toMatchObject({
    deliveries: [
      { platform: 'slack', id: 'C0GONE0001', error: 'the platform refused the post (not_in_channel)' },
      { platform: 'slack', id: SLACK_CHANNEL },
      { platform: 'teams', id: TEAMS_CONVERSATION },
    ],
  });
  expect(log.lines.find((l) => l.message === 'digest not posted to a target')?.fields).toMatchObject({
    platform: 'slack',
    target: 'C0GONE0001',
  });
});

test('node-cron drives fire(): a schedule armed by start() posts when its time comes', async () => {
  // A six-field expression firing two seconds from now (once a minute), on the real clock.
  const second = (new Date().getUTCSeconds() + 2) % 60;
  const config = configWith([{ name: 'soon', cron: `${second} * * * * *`, catch_up_minutes: 0 }]);
  const store = openStore(world.tmp.file('timer.db'));
  const auditor = sandboxAuditor(config, world.sandbox, world.labels);
  opened.push(store, { close: () => auditor.close() });
  const scheduler = createScheduler({
    config,
    platforms: platformCatalog(config),
    auditor,
    store,
    posters: world.posters,
    owner: 'timer',
    log: captureLog(),
  });
  schedulers.push(scheduler);
  await scheduler.start();
  const posted = await waitFor(() => slackPosts(world.slack).length > 0, 10_000);
  await scheduler.idle();
  expect(posted).toBe(true);
  const [entry] = await store.listAuditLog({ kinds: ['digest'] });
  expect(entry?.detail).toMatchObject({ schedule: 'soon', trigger: 'scheduled', outcome: 'posted' });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}
