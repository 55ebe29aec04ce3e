/**
 * `controls.<id>.default_action` in scheduled digests, end to end with an injected clock: the real core
 * services (auditor, SQLite store, approvals, remediation workflow over an AwsSession) against the AWS
 * sandbox's audit-demo accounts, wired into the scheduler the way src/server.ts does, posting through the
 * real Slack poster to the fake Slack Web API.
 * - remediate: each NON_COMPLIANT account is remediated before the digest; the digest shows each
 *   outcome (fixed, awaiting confirmation, failed at a step, guidance only) with the re-audit's verdict,
 *   and the accounts as they are afterwards;
 * - skip: the control is audited and recorded, but its failing accounts are not listed.
 */
import { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import { platformCatalog } from '../../src/config/platform-settings';
import { type CoreServices, createCoreServices } from '../../src/runtime';
import { createScheduler, type Scheduler } from '../../src/scheduler';
import { openStore } from '../../src/store';
import {
  captureLog,
  ManualClock,
  MEMBER_ACCOUNTS,
  SECURITY_ACCOUNT,
  SLACK_CHANNEL,
  slackPosts,
  startWorld,
  type World,
} from './helpers';

const MONDAY_0700 = '2025-03-03T07:00:00.000Z';
const TUESDAY_0700 = '2025-03-04T07:00:00.000Z';
const DAILY = {
  name: 'daily',
  cron: '0 7 * * 1-5',
  timezone: 'Europe/London',
  catch_up_minutes: 60,
  targets: { slack: [SLACK_CHANNEL] },
};

let world: World;
const closers: Array<() => unknown> = [];
const schedulers: Scheduler[] = [];

beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
  for (const c of closers.splice(0)) await c();
  await world.close();
});

function setup(doc: Record<string, unknown>, clock: ManualClock, schedules: unknown[] = [DAILY]) {
  const config = loadConfig({
    document: {
      aws: { region: 'eu-west-2', accounts: MEMBER_ACCOUNTS },
      remediation: { subscription: { protocol: 'email', endpoint: 'secops@example.com' } },
      schedules,
      ...doc,
    },
    env: {},
  });
  const session = new AwsSession({
    region: 'eu-west-2',
    credentials: world.sandbox.credentialsFor(SECURITY_ACCOUNT),
    clientConfig: { endpoint: world.sandbox.endpoint, maxAttempts: 1 },
  });
  const services: CoreServices = createCoreServices({
    config,
    session,
    labels: world.labels,
    store: openStore(world.tmp.file('cis.db')),
    now: () => clock.now(),
  });
  const log = captureLog();
  const scheduler = createScheduler({
    config,
    platforms: platformCatalog(config),
    auditor: services.auditor,
    store: services.store,
    posters: world.posters,
    clock,
    owner: 'replica-a',
    log,
    startTimers: false,
    autoRemediate: (control, accountId) =>
      services.approvals.runAutomatically('remediation', { control: control, accountId: accountId }),
  });
  closers.push(
    () => services.store.close(),
    () => session.destroy(),
  );
  schedulers.push(scheduler);
  return { scheduler, services, log };
}

test('remediate: fixable accounts become COMPLIANT before the digest, which reports every outcome', async () => {
  const clock = new ManualClock('2025-03-03T07:00:01Z');
  const { scheduler, services, log } = setup({ controls: { '4.1': { default_action: 'remediate' } } }, clock);
  // The first metric filter write is refused: dev's remediation stops at its first step.
  world.sandbox.failNext('PutMetricFilter', 'AccessDeniedException');
  expect(await scheduler.fire('daily', new Date(MONDAY_0700))).toBe('posted');

  const [monday] = slackPosts(world.slack);
  // Before: 5 NON_COMPLIANT + 1 ERROR. Analytics was fixed; dev failed; the rest need a person.
  expect(monday?.text).toBe('CIS digest "daily": 5 of 7 accounts need attention (1 fixed automatically)');
  const all = [monday?.blocks, ...(monday?.replies ?? [])].join('\n');
  expect(all).toContain(
    '✓ 555555555555 (analytics) · CIS 4.1 · fixed automatically (1 step done) · re-audit: compliant',
  );
  expect(all).toMatch(
    /✗ 333333333333 \(dev\) · CIS 4\.1 · failed at step \\"[^"\\]+\\" \(AccessDeniedException\): [^"]* · re-audit: NON-COMPLIANT/,
  );
  expect(all).toContain(
    '~ 444444444444 (marketing) · CIS 4.1 · steps done (1 step done); awaiting confirmation of the subscription by email secops@example.com · re-audit: NON-COMPLIANT',
  );
  expect(all).toContain(
    '! 222222222222 (staging) · CIS 4.1 · guidance only, nothing cis-bot can change: Start logging on the trail',
  );
  expect(all).toContain('! 777777777777 (legacy) · CIS 4.1 · guidance only');
  // ERROR (could not be read) and COMPLIANT accounts are not remediated.
  expect(all).not.toMatch(/666666666666 \(payments\) · CIS 4\.1 · /);
  expect(all).not.toMatch(/111111111111 \(prod\) · CIS 4\.1 · /);
  // The fixed account is compliant in the table and has no Remediate button; the failed one keeps its.
  expect(all).not.toContain('Remediate 555555555555');
  expect(all).toContain('Remediate 333333333333');

  const table = (monday?.blocks ?? '').replace(/ {2,}/g, ' ');
  expect(table).toContain('555555555555 (analytics) compliant');
  expect(table).toContain('333333333333 (dev) NON-COMPLIANT');
  // The digest's record is the accounts as they are after remediation.
  const run = await services.store.getScheduleRun('daily', MONDAY_0700);
  const summary = run?.summary as { entries: Array<{ accountId: string; status: string }> };
  expect(summary.entries.find((e) => e.accountId === '555555555555')?.status).toBe('COMPLIANT');
  expect(summary.entries.find((e) => e.accountId === '333333333333')?.status).toBe('NON_COMPLIANT');
  expect(run?.summary).toMatchObject({
    remediations: expect.arrayContaining([
      { control: '4.1', accountId: '555555555555', outcome: 'fixed' },
      { control: '4.1', accountId: '333333333333', outcome: 'failed' },
      { control: '4.1', accountId: '444444444444', outcome: 'awaiting-confirmation' },
      { control: '4.1', accountId: '222222222222', outcome: 'guidance-only' },
    ]),
  });
  // Approved and audit-logged as cis-bot itself, each step included.
  const approved = await services.store.listAuditLog({ kinds: ['approved'] });
  expect(approved.map((a) => a.accountId).sort()).toEqual(['333333333333', '444444444444', '555555555555']);
  expect(approved.every((a) => a.actor?.platform === 'system')).toBe(true);
  expect((await services.store.listAuditLog({ kinds: ['step'] })).length).toBeGreaterThan(0);
  expect(log.lines.filter((l) => l.message === 'automatic remediation')).toHaveLength(5);

  // Tuesday: the refused write now goes through; the digest names dev as fixed.
  clock.set('2025-03-04T07:00:01Z');
  expect(await scheduler.fire('daily', new Date(TUESDAY_0700))).toBe('posted');
  const tuesday = slackPosts(world.slack)[1];
  const tue = [tuesday?.blocks, ...(tuesday?.replies ?? [])].join('\n');
  expect(tue).toContain('Fixed: 333333333333 (dev)');
  expect(tue).toMatch(
    /✓ 333333333333 \(dev\) · CIS 4\.1 · fixed automatically \([^)]*\) · re-audit: compliant/,
  );
  const after = (await services.auditor.audit({ control: '4.1', accounts: ['333333333333'] })).report;
  expect(after.accounts[0]?.status).toBe('COMPLIANT');
});

test('remediate happens in scheduled runs only: an on-demand digest changes nothing', async () => {
  const clock = new ManualClock('2025-03-03T10:00:00Z');
  const { scheduler, services } = setup({ controls: { '4.1': { default_action: 'remediate' } } }, clock);
  const shown = await scheduler.runNow(
    'daily',
    { platform: 'slack', userId: 'U0MEGAN' },
    { deliver: 'none' },
  );
  expect(shown.cards[0]?.summary).toBe('CIS digest "daily": 6 of 7 accounts need attention');
  await scheduler.runNow('daily', { platform: 'slack', userId: 'U0MEGAN' });
  expect(await services.store.listAuditLog({ kinds: ['approved', 'step'] })).toEqual([]);
});

test('skip: the control is audited and recorded, its failing accounts are not listed', async () => {
  const clock = new ManualClock('2025-03-03T07:00:01Z');
  const quiet = { ...DAILY, name: 'quiet', level: 'error' };
  const { scheduler, services } = setup({ controls: { '4.1': { default_action: 'skip' } } }, clock, [
    DAILY,
    quiet,
  ]);
  expect(await scheduler.fire('daily', new Date(MONDAY_0700))).toBe('posted');
  const posts = slackPosts(world.slack);
  expect(posts).toHaveLength(1);
  expect(posts[0]?.text).toBe(
    'CIS digest "daily": 1 account compliant, 6 failing are not listed by configuration',
  );
  expect(posts[0]?.blocks).toContain(
    'Not listed by configuration (default_action: skip): 6 failing accounts of CIS 4.1.',
  );
  expect(posts[0]?.blocks).toContain('Compliant: 111111111111 (prod)');
  for (const id of ['222222222222', '333333333333', '444444444444', '666666666666']) {
    expect(posts[0]?.blocks).not.toContain(id);
  }
  expect(posts[0]?.replies).toEqual([]);

  // Audited and recorded all the same: the history and the digest's baseline keep every account.
  expect(await services.store.latestFindings('4.1')).toHaveLength(7);
  const run = await services.store.getScheduleRun('daily', MONDAY_0700);
  expect(run?.summary).toMatchObject({
    counts: { total: 7, compliant: 1, nonCompliant: 5, error: 1 },
    skippedByConfig: [{ control: '4.1', count: 6 }],
  });
  const [entry] = await services.store.listAuditLog({ kinds: ['digest'] });
  expect(entry?.detail).toMatchObject({ skippedByConfig: [{ control: '4.1', count: 6 }] });

  // At level error a skipped control says nothing at all.
  expect(await scheduler.fire('quiet', new Date(MONDAY_0700))).toBe('nothing-to-post');
  expect(slackPosts(world.slack)).toHaveLength(1);
});

test('notify (the default) lists failing accounts as before', async () => {
  const clock = new ManualClock('2025-03-03T07:00:01Z');
  const { scheduler, services } = setup({ controls: { '4.1': { default_action: 'notify' } } }, clock);
  expect(await scheduler.fire('daily', new Date(MONDAY_0700))).toBe('posted');
  const [post] = slackPosts(world.slack);
  expect(post?.text).toBe('CIS digest "daily": 6 of 7 accounts need attention');
  expect(post?.replies.join('\n')).toContain('Remediate 333333333333');
  expect(await services.store.listAuditLog({ kinds: ['approved', 'step'] })).toEqual([]);
});
