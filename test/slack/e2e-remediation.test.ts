/**
 * End to end through signed Slack requests: plan, approve, execute and re-audit a sandbox account with the
 * real core behind the bot server. Approvers are Bob (approvals.slack.users), Carol (through the user
 * group S0SECLEADS, read with usergroups.users.list) and Alice, who asks for the plans and is listed too,
 * so only require_distinct_approver stops her approving her own. Mallory is nobody. Refused clicks get an
 * ephemeral message and leave the plan message, the sandbox and the approval as they were.
 */
import type { Approval } from '../../src/core/ports/store';
import {
  ALICE,
  APPROVER_GROUP,
  awsWrites,
  BOB,
  buttonsOf,
  CAROL,
  CHANNEL,
  type E2E,
  expectAllAccepted,
  MALLORY,
  snapshot,
  startE2E,
  storeSnapshot,
  textOf,
  withThread,
} from './e2e-harness';
import { blockActionsBody, postSigned } from './helpers';

const DEV = '333333333333'; // the audit-demo account the bot can fix (its filter is too narrow)
// Only the filter: the bot-named alarm already notifies topic `alerts`, which has a confirmed subscriber, so
// that topic is reused (no CreateTopic, no Subscribe) and the alarm already has the CIS settings.
const FIX = ['PutMetricFilter'];

let e: E2E;

beforeEach(async () => {
  e = await startE2E();
});

afterEach(async () => {
  await e.close();
});

async function approvals(): Promise<Approval[]> {
  return e.services.store.listApprovals();
}

/**
 * `/cis 4.1 remediate --account 333333333333` by Alice: the plan message as first posted (what a Slack
 * client that has not refreshed still shows, and sends back in a click's payload).
 */
async function planMessage() {
  const result = await e.command(`4.1 remediate --account ${DEV}`, { user: ALICE });
  if (!result.message) throw new Error('no plan posted');
  return structuredClone(result.message);
}

function ephemeralsFor(userId: string) {
  return e.fake.ephemerals.filter((m) => m.user === userId);
}

function current(ts: string) {
  const message = e.fake.message(CHANNEL, ts);
  if (!message) throw new Error(`message ${ts} is gone`);
  return message;
}

it('audits, plans, refuses the wrong people, executes on an authorized click and re-audits COMPLIANT, all through Slack', async () => {
  const audit = await e.command(`4.1 audit --account ${DEV}`);
  const findings = withThread(e.fake, audit.message as never)
    .map(textOf)
    .join('\n');
  expect(findings).toContain(`CIS 4.1 NON-COMPLIANT: account ${DEV} (dev)`);
  expect(findings).toMatch(/misses .*UnauthorizedOperation/);

  // The plan: Approve (primary, with a confirm dialog saying what will change) and Reject (danger).
  const plan = await planMessage();
  expect(textOf(plan)).toMatch(/PutMetricFilter|put-metric-filter/);
  const [approve, reject] = buttonsOf(plan);
  expect(approve?.action_id).toBe('cis:approve');
  expect(approve?.style).toBe('primary');
  expect(approve?.confirm?.text.text).toMatch(new RegExp(`${DEV}`));
  expect(reject?.action_id).toBe('cis:reject');
  expect(reject?.style).toBe('danger');
  expect((await approvals()).map((a) => a.state)).toEqual(['requested']);
  expect(awsWrites(e.run)).toEqual([]);

  // Someone who is not an approver: a refusal only they see; the plan stays as it was.
  const untouched = snapshot(plan);
  await e.click(plan, 'cis:approve', MALLORY);
  await e.click(plan, 'cis:reject', MALLORY);
  expect(ephemeralsFor(MALLORY.id).map((m) => m.text)).toEqual([
    expect.stringMatching(/may not approve/),
    expect.stringMatching(/may not reject/),
  ]);
  // The requester, although listed as an approver, may not approve their own plan.
  await e.click(plan, 'cis:approve', ALICE);
  expect(ephemeralsFor(ALICE.id).map((m) => m.text)).toEqual([
    expect.stringMatching(/requested this remediation and may not also approve it/),
  ]);
  expect(snapshot(current(plan.ts))).toEqual(untouched);
  expect(e.fake.thread(CHANNEL, plan.ts)).toEqual([]);
  expect((await approvals()).map((a) => a.state)).toEqual(['requested']);
  expect(awsWrites(e.run)).toEqual([]);

  // Carol approves through the user group.
  await e.click(plan, 'cis:approve', CAROL);
  expect(e.fake.callsTo('usergroups.users.list').map((c) => c.args.usergroup)).toContain(APPROVER_GROUP);
  // First the buttons give way to who approved and when…
  const updates = e.fake.callsTo('chat.update').filter((c) => c.args.ts === plan.ts);
  const decided = updates.at(-2)?.args as { text: string; blocks: unknown[] };
  expect(textOf(decided)).toMatch(/Approved by carol at \d{4}-\d\d-\d\d \d\d:\d\d/);
  expect(JSON.stringify(decided.blocks)).not.toContain('"actions"');
  // …the steps' progress follows in the thread, then the re-audit verdict…
  const thread = e.fake.thread(CHANNEL, plan.ts).map(textOf);
  expect(thread.slice(0, FIX.length)).toEqual([expect.stringMatching(/1\/1.*done.*metric filter/is)]);
  expect(thread.at(-1)).toMatch(/COMPLIANT/);
  // …and the message ends with the verdict.
  const final = current(plan.ts);
  expect(textOf(final)).toContain('Approved by carol');
  expect(buttonsOf(final)).toEqual([]);
  expect(textOf({ text: '', blocks: final.blocks.slice(-2) })).toMatch(/COMPLIANT/);
  expect(textOf({ text: '', blocks: final.blocks.slice(-2) })).not.toMatch(/NON.COMPLIANT/);
  expect(awsWrites(e.run)).toEqual(FIX);
  expect((await approvals()).map((a) => a.state)).toEqual(['succeeded']);

  // A second click on the same button (Bob's, an approver too) is refused and changes nothing.
  const done = snapshot(final);
  const threadLength = e.fake.thread(CHANNEL, plan.ts).length;
  await e.click(plan, 'cis:approve', BOB);
  expect(ephemeralsFor(BOB.id).map((m) => m.text)).toEqual([expect.stringMatching(/approved by carol/i)]);
  expect(snapshot(current(plan.ts))).toEqual(done);
  expect(e.fake.thread(CHANNEL, plan.ts)).toHaveLength(threadLength);
  expect(awsWrites(e.run)).toEqual(FIX);

  // The account is compliant now.
  const again = await e.command(`4.1 audit --account ${DEV}`);
  expect(again.message?.text).toMatch(/^CIS 4\.1 audit: 1 of 1 account compliant/);
  expect(textOf(again.message as never)).toContain(`Compliant: ${DEV} (dev)`);
  expectAllAccepted(e.fake);
});

it('a listed approver approves; Reject by an approver replaces the buttons and runs nothing', async () => {
  const plan = await planMessage();
  await e.click(plan, 'cis:reject', BOB);
  const rejected = current(plan.ts);
  expect(textOf(rejected)).toMatch(/Rejected by bob/);
  expect(buttonsOf(rejected)).toEqual([]);
  expect(awsWrites(e.run)).toEqual([]);

  const second = await planMessage();
  await e.click(second, 'cis:approve', BOB);
  expect(textOf(current(second.ts))).toContain('Approved by bob');
  expect(awsWrites(e.run)).toEqual(FIX);
  expect((await approvals()).map((a) => a.state).sort()).toEqual(['rejected', 'succeeded']);
  expectAllAccepted(e.fake);
});

it('two approvers clicking at once: one approval runs, the other click is refused', async () => {
  const plan = await planMessage();
  await Promise.all([e.click(plan, 'cis:approve', BOB), e.click(plan, 'cis:approve', CAROL)]);
  await e.idle();
  const refused = [...ephemeralsFor(BOB.id), ...ephemeralsFor(CAROL.id)];
  expect(refused).toHaveLength(1);
  expect(textOf(current(plan.ts))).toMatch(/Approved by (bob|carol)/);
  expect(awsWrites(e.run)).toEqual(FIX);
  expect((await approvals()).map((a) => a.state)).toEqual(['succeeded']);
  expectAllAccepted(e.fake);
});

it('an expired plan is refused: the clicker is told, the plan message and the sandbox stay as they were', async () => {
  const plan = await planMessage();
  const untouched = snapshot(plan);
  e.clock.offsetMs = 61 * 60_000; // approvals.ttl_minutes is 60
  await e.click(plan, 'cis:approve', BOB);
  expect(ephemeralsFor(BOB.id).map((m) => m.text)).toEqual([expect.stringMatching(/expired/i)]);
  expect(snapshot(current(plan.ts))).toEqual(untouched);
  expect(awsWrites(e.run)).toEqual([]);
  expect((await approvals()).map((a) => a.state)).toEqual(['expired']);
  expectAllAccepted(e.fake);
});

it('a stale plan (the account changed after the plan was made) is not executed', async () => {
  const plan = await planMessage();
  // Someone deletes the alarm by hand between the plan and the approval: the approved plan no longer
  // describes what would be done.
  const region = e.run.sandbox.state.region(DEV, 'eu-west-2');
  expect(region.alarms.delete('unauthorized_api_calls_alarm')).toBe(true);
  await e.click(plan, 'cis:approve', BOB);
  const thread = e.fake.thread(CHANNEL, plan.ts).map(textOf);
  expect(thread.join('\n')).toMatch(/stale|changed/i);
  expect(textOf(current(plan.ts))).toMatch(/stale|changed/i);
  expect(awsWrites(e.run)).toEqual([]);
  expect(region.alarms.has('unauthorized_api_calls_alarm')).toBe(false);
  expect([...(region.logGroups.get('cloudtrail')?.metricFilters.keys() ?? [])]).toEqual(['access-denied']);
  expect((await approvals()).map((a) => a.state)).toEqual(['stale']);
  expectAllAccepted(e.fake);
});

it('a role session AWS stopped accepting before the click is assumed again once: the plan runs, not stale', async () => {
  const plan = await planMessage();
  const assumeRoles = () => e.run.sandbox.calls.filter((c) => c.operation === 'AssumeRole').length;
  const before = assumeRoles();
  // AWS revokes the sessions cis-bot cached.
  for (const key of [...e.run.sandbox.state.sessions.keys()]) e.run.sandbox.revokeCredentials(key);
  await e.click(plan, 'cis:approve', BOB);
  expect((await approvals()).map((a) => a.state)).toEqual(['succeeded']);
  expect(awsWrites(e.run)).toEqual(FIX);
  expect(textOf(current(plan.ts))).toMatch(/COMPLIANT/);
  expect(assumeRoles()).toBe(before + 1);
  expectAllAccepted(e.fake);
});

it('a role session refused even after a new AssumeRole is shown in chat as refused credentials, not a missing grant', async () => {
  e.run.sandbox.failNext('cloudtrail:DescribeTrails', 'UnrecognizedClientException', 2);
  const audit = await e.command(`4.1 audit --account ${DEV}`);
  const text = withThread(e.fake, audit.message as never)
    .map(textOf)
    .join('\n');
  expect(text).toContain(`CIS 4.1 ERROR: account ${DEV} (dev)`);
  expect(text).toContain(
    `AWS refused the session cis-bot assumed in role arn:aws:iam::${DEV}:role/CisBotAudit (UnrecognizedClientException)`,
  );
  expect(text).not.toMatch(/grant/i);
  expectAllAccepted(e.fake);
});

/** Approve or Reject on the plan message as if it were clicked in another channel (a copy of the card there). */
async function clickElsewhere(plan: Awaited<ReturnType<typeof planMessage>>, nth: 0 | 1, channelId: string) {
  const button = buttonsOf(plan)[nth];
  const body = blockActionsBody({
    actionId: button?.action_id ?? '',
    value: button?.value ?? '',
    response_url: e.fake.responseUrl(),
    messageTs: plan.ts,
    channelId,
    userId: BOB.id,
    userName: BOB.name,
    message: { text: plan.text, blocks: plan.blocks },
  });
  expect((await postSigned(e.url, { body })).status).toBe(200);
  await e.idle();
}

it("Approve or Reject clicked in another channel than the plan's is refused there, audit-logged, and the plan stands", async () => {
  const plan = await planMessage();
  const untouched = snapshot(plan);
  await clickElsewhere(plan, 0, 'C0ELSEWHERE');
  await clickElsewhere(plan, 1, 'C0ELSEWHERE');
  expect(ephemeralsFor(BOB.id).map((m) => [m.channel, m.text])).toEqual([
    [
      'C0ELSEWHERE',
      expect.stringMatching(
        new RegExp(`requested in another Slack conversation \\(${CHANNEL}\\); approve or reject it there`),
      ),
    ],
    [
      'C0ELSEWHERE',
      expect.stringMatching(
        new RegExp(`requested in another Slack conversation \\(${CHANNEL}\\); approve or reject it there`),
      ),
    ],
  ]);
  expect(snapshot(current(plan.ts))).toEqual(untouched);
  expect(awsWrites(e.run)).toEqual([]);
  expect((await approvals()).map((a) => a.state)).toEqual(['requested']);
  const refused = await e.services.store.listAuditLog({ kinds: ['refused'] });
  const wrongConversation = (decision: string) => [
    BOB.id,
    expect.objectContaining({
      decision,
      reason: 'wrong-conversation',
      conversation: { platform: 'slack', id: 'C0ELSEWHERE' },
      requestedIn: { platform: 'slack', id: CHANNEL },
    }),
  ];
  expect(refused.map((r) => [r.actor?.userId, r.detail])).toEqual([
    wrongConversation('reject'),
    wrongConversation('approve'),
  ]);

  // In the plan's own channel the same approver's click is accepted.
  await e.click(plan, 'cis:approve', BOB);
  expect((await approvals()).map((a) => a.state)).toEqual(['succeeded']);
  expect(awsWrites(e.run)).toEqual(FIX);
  expectAllAccepted(e.fake);
});

it('every refused click is on the audit log with its reason', async () => {
  const plan = await planMessage();
  await e.click(plan, 'cis:approve', MALLORY); // not an approver
  await e.click(plan, 'cis:approve', ALICE); // the requester
  e.clock.offsetMs = 61 * 60_000; // approvals.ttl_minutes is 60
  await e.click(plan, 'cis:approve', BOB); // too late
  await e.click(plan, 'cis:reject', CAROL); // decided already (expired)
  const refused = (await e.services.store.listAuditLog({ kinds: ['refused'] })).reverse();
  expect(refused.map((r) => [r.actor?.userId, r.platform, (r.detail as { reason?: string }).reason])).toEqual(
    [
      [MALLORY.id, 'slack', 'forbidden'],
      [ALICE.id, 'slack', 'self-approval'],
      [BOB.id, 'slack', 'expired'],
      [CAROL.id, 'slack', 'expired'],
    ],
  );
  expect(refused.every((r) => r.approvalId === refused[0]?.approvalId)).toBe(true);
});

it('a forged Approve click gets 401 and changes nothing', async () => {
  const plan = await planMessage();
  const untouched = snapshot(plan);
  const before = await storeSnapshot(e.services);
  const slackCalls = e.fake.calls.length;
  const awsCalls = e.run.sandbox.calls.length;
  const [approve] = buttonsOf(plan);
  const body = blockActionsBody({
    actionId: approve?.action_id ?? '',
    value: approve?.value ?? '',
    response_url: e.fake.responseUrl(),
    messageTs: plan.ts,
    userId: BOB.id,
    userName: BOB.name,
    message: { text: plan.text, blocks: plan.blocks },
  });
  expect((await postSigned(e.url, { body, secret: 'guessed-secret' })).status).toBe(401);
  await e.idle();
  expect(snapshot(current(plan.ts))).toEqual(untouched);
  expect(e.fake.calls).toHaveLength(slackCalls);
  expect(e.run.sandbox.calls).toHaveLength(awsCalls);
  expect(await storeSnapshot(e.services)).toEqual(before);
});
