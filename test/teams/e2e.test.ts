/**
 * End to end through Teams: the real bot (startBot: one Express app, the real chat core, approvals,
 * remediation workflow, store and scheduler) over the AWS sandbox of the bundled audit-demo scenario.
 * Teams activities, shaped as Microsoft documents them, are POSTed to /api/messages; their serviceUrl is
 * a loopback fake Bot Connector that records every reply and update the bot sends back.
 *
 * The story: the bot is added to a team; an audit in a channel shows each account's verdict; a plan for
 * 333333333333 (dev: its metric filter misses "*UnauthorizedOperation") is asked for; a non-approver's
 * click and the requester's own approval are refused to the clicker alone, the card untouched; another
 * approver's Action.Execute is answered with the decision card and the message is updated for everyone;
 * the steps and the re-audit verdict (COMPLIANT) follow in the thread; a new audit says COMPLIANT; the
 * stored conversation reference lets the scheduler post a digest to the channel.
 *
 * Authentication is off here (CIS_BOT_TEAMS_DEV_NO_AUTH): the bot's outbound calls would need tokens from
 * login.microsoftonline.com. The last block shows that with credentials configured a request without a
 * token is refused before anything reaches the core.
 */
import { writeFileSync } from 'node:fs';
import { ACTION_APPROVE, ACTION_REJECT, ACTION_REMEDIATE, ACTION_SHOW_IAC } from '../../src/core/ports/chat';
import {
  type ConnectorCall,
  type FakeBotConnector,
  startFakeBotConnector,
} from '../support/fake-bot-connector';
import {
  ALEX,
  BOT,
  botAddedToTeam,
  CHANNEL,
  channelMention,
  executeInvoke,
  MEGAN,
  NESTOR,
  PERSONAL_CONVERSATION,
  personalMessage,
  TEAM,
  TENANT_ID,
} from './activities';
import {
  ALARM_QUEUE,
  actionTypes,
  cardOf,
  type E2eBot,
  executeActions,
  plainOf,
  startE2eBot,
} from './e2e-helpers';

const DEV = '333333333333';
/** Where the rendered cards of this run are written for the closing note (set by the lead's script). */
const CARDS_OUT = process.env.CIS_BOT_TEAMS_CARDS_OUT;

let connector: FakeBotConnector;
let e: E2eBot;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  e = await startE2eBot({
    document: (run) => ({
      aws: { accounts: run.otherAccounts, region: run.defaultRegion },
      // Megan and Nestor may approve; Alex may not.
      approvals: { teams: { users: [MEGAN.aadObjectId, NESTOR.aadObjectId] } },
      remediation: { subscription: { protocol: 'sqs', endpoint: ALARM_QUEUE } },
      schedules: [{ name: 'daily', cron: '0 9 * * 1-5', catch_up_minutes: 0, targets: { teams: [CHANNEL] } }],
    }),
    env: { CIS_BOT_TEAMS_DEV_NO_AUTH: 'true' },
  });
});

afterAll(async () => {
  await e?.close();
  await connector?.close();
});

/** The calls the fake Bot Connector saw since `mark`. */
const since = (mark: number) => connector.calls.slice(mark);
const cardMessages = (calls: ConnectorCall[]) =>
  calls.filter((c) => (c.kind === 'send' || c.kind === 'reply') && c.activity?.type === 'message');
const teams = () => {
  const adapter = e.bot.teams;
  if (!adapter) throw new Error('Teams is not served');
  return adapter;
};

/** Sends a channel command and waits until its cards were sent; returns the new connector calls. */
async function command(text: string, from = MEGAN) {
  const mark = connector.calls.length;
  const msg = channelMention(connector.serviceUrl, text, from);
  const res = await e.post(msg);
  expect(res.status).toBe(200);
  await teams().idle();
  return { msg, calls: since(mark) };
}

// Shared across the ordered steps of the story.
let planMessageId = '';
/** The card's conversation as Teams reports it on a click: the channel and the thread's root. */
let planConversation = '';
let approvalId = '';
let iacValue = '';
let analyticsCard: ConnectorCall | undefined;
const rendered: Record<string, unknown> = {};

describe('a sandbox account audited, fixed and re-audited through Teams', () => {
  test('the bot added to a team stores the conversation reference', async () => {
    const res = await e.post(botAddedToTeam(connector.serviceUrl));
    expect(res.status).toBe(200);
    const ref = (await e.services.store.getConversationRef('teams', TEAM)) as Record<string, unknown>;
    expect(ref).toMatchObject({
      conversation: { id: TEAM },
      serviceUrl: connector.serviceUrl,
      channelId: 'msteams',
      bot: { id: BOT.id },
    });
  });

  test('an audit in a channel answers in the thread with a card per failing account, verdicts shown', async () => {
    const { msg, calls } = await command('4.1 audit');
    expect(calls[0]?.activity.type).toBe('typing');
    const replies = cardMessages(calls);
    expect(replies.length).toBeGreaterThanOrEqual(2);
    for (const r of replies) {
      expect(r).toMatchObject({ kind: 'reply', activityId: msg.id, conversationId: msg.conversation.id });
    }
    const summaries = replies.map((r) => r.activity.summary as string);
    expect(summaries[0]).toMatch(/1 of 7 accounts compliant \(5 non-compliant, 1 error\)/);
    // Every failing account has its card with its verdict; the compliant one is only counted at level info.
    for (const [account, verdict] of [
      ['222222222222', /NON-COMPLIANT/],
      ['333333333333', /NON-COMPLIANT/],
      ['444444444444', /NON-COMPLIANT/],
      ['555555555555', /NON-COMPLIANT/],
      ['666666666666', /ERROR/],
      ['777777777777', /NON-COMPLIANT/],
    ] as const) {
      const reply = replies.find((r) => (r.activity.summary as string).includes(account));
      expect(plainOf(cardOf(reply))).toMatch(verdict);
    }
    const dev = replies.find((r) => (r.activity.summary as string).includes(DEV));
    const card = cardOf(dev);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(plainOf(card)).toMatch(/access-denied/);
    expect(plainOf(card)).toMatch(/UnauthorizedOperation/);
    expect(executeActions(card)).toEqual([
      expect.objectContaining({
        verb: ACTION_REMEDIATE,
        value: JSON.stringify({ control: '4.1', accountId: DEV }),
      }),
    ]);
    rendered.finding = card;
    analyticsCard = replies.find((r) => (r.activity.summary as string).includes('555555555555'));
    // The reference of the channel (not of the thread) is stored: digests start new threads there.
    expect(await e.services.store.getConversationRef('teams', CHANNEL)).toMatchObject({
      conversation: { id: CHANNEL },
    });
  });

  test('"cis 4.1 remediate --account 333333333333" answers with the plan, Approve and Reject', async () => {
    const { msg, calls } = await command(`cis 4.1 remediate --account ${DEV}`);
    const replies = cardMessages(calls);
    expect(replies).toHaveLength(1);
    const plan = replies[0] as ConnectorCall;
    expect(plan.activityId).toBe(msg.id);
    expect(plan.activity.summary).toMatch(/remediation plan .*333333333333/i);
    const card = cardOf(plan);
    // Approve asks for confirmation first (Adaptive Cards have no confirm dialog); Reject does not.
    expect(actionTypes(card)).toEqual([
      expect.stringMatching(/^Action\.ShowCard:Approve/),
      'Action.Execute:Reject',
      // Read-only: the plan as a template in the thread.
      'Action.Execute:Show as Terraform',
      'Action.Execute:Show as CloudFormation',
    ]);
    const buttons = executeActions(card);
    expect(buttons.map((b) => b.verb)).toEqual([
      ACTION_APPROVE,
      ACTION_REJECT,
      ACTION_SHOW_IAC,
      ACTION_SHOW_IAC,
    ]);
    expect(plainOf(card)).toMatch(/put-metric-filter/);
    // The bot-named alarm already has the CIS settings and notifies `alerts` (confirmed subscriber): that
    // topic is reused, so the filter is the only step (no new topic, no subscription, no alarm change).
    expect(plainOf(card)).toMatch(/Steps: 1\b/);
    expect(plainOf(card)).not.toMatch(/create-topic|sns subscribe|put-metric-alarm/);
    planMessageId = plan.id;
    planConversation = plan.conversationId;
    approvalId = buttons[0]?.value ?? '';
    iacValue = buttons[2]?.value ?? '';
    rendered.approval = card;
    expect(approvalId).not.toBe('');
  });

  /** Clicks Approve on the plan card (Action.Execute invoke) as `from`. */
  async function clickApprove(from: typeof MEGAN, conversationId = planConversation) {
    const mark = connector.calls.length;
    const res = await e.post(
      executeInvoke(connector.serviceUrl, {
        verb: ACTION_APPROVE,
        value: approvalId,
        cardMessageId: planMessageId,
        conversationId,
        from,
      }),
    );
    expect(res.status).toBe(200);
    return { body: res.body, calls: () => since(mark) };
  }

  test('"Show as Terraform" is read-only: anyone in the channel gets the template in the thread', async () => {
    const mark = connector.calls.length;
    const res = await e.post(
      executeInvoke(connector.serviceUrl, {
        verb: ACTION_SHOW_IAC,
        value: iacValue,
        cardMessageId: planMessageId,
        conversationId: planConversation,
        from: ALEX,
      }),
    );
    expect(res.status).toBe(200);
    await teams().idle();
    const text = cardMessages(since(mark))
      .map((m) => plainOf(cardOf(m)))
      .join('\n');
    expect(text).toContain('resource "aws_cloudwatch_log_metric_filter" "cis_4_1_metric_filter"');
    expect(text).toContain('Apply it with your own pipeline: nothing was changed.');
    expect((await e.services.store.getApproval(approvalId))?.state).toBe('requested');
  });

  test('a click by someone who may not approve is refused to that user only; the card stays', async () => {
    const { body, calls } = await clickApprove(ALEX);
    expect(body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringMatching(/may not approve.*approvals\.teams\.users/s),
    });
    await teams().idle();
    // Nothing posted in the thread, no update of the card for anyone.
    expect(calls()).toEqual([]);
    expect((await e.services.store.getApproval(approvalId))?.state).toBe('requested');
  });

  test('the requester approving their own plan is refused, visibly to them only', async () => {
    const { body, calls } = await clickApprove(MEGAN);
    expect(body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringMatching(/another approver must approve it/),
    });
    await teams().idle();
    expect(calls()).toEqual([]);
    expect((await e.services.store.getApproval(approvalId))?.state).toBe('requested');
  });

  test("an approver's click from another conversation than the plan's is refused to them only, and audit-logged", async () => {
    const elsewhere = '19:0ther0000000000000000000000000000@thread.tacv2';
    const { body, calls } = await clickApprove(NESTOR, `${elsewhere};messageid=${planMessageId}`);
    expect(body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: `This remediation was requested in another Teams conversation (${CHANNEL}); approve or reject it there, on its own message.`,
    });
    await teams().idle();
    expect(calls()).toEqual([]);
    expect((await e.services.store.getApproval(approvalId))?.state).toBe('requested');
    const [refused] = await e.services.store.listAuditLog({ approvalId, kinds: ['refused'], limit: 1 });
    expect(refused?.actor?.userId).toBe(NESTOR.aadObjectId);
    expect(refused?.detail).toMatchObject({
      reason: 'wrong-conversation',
      conversation: { platform: 'teams', id: elsewhere },
      requestedIn: { platform: 'teams', id: CHANNEL },
    });
  });

  test('an approver: the invoke answers with the decision card, which replaces the plan for everyone; steps and COMPLIANT follow', async () => {
    const { body, calls } = await clickApprove(NESTOR);
    expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    const decision = body.value;
    expect(plainOf(decision)).toMatch(/Approved by Nestor Wilke at /);
    expect(actionTypes(decision)).toEqual([]);
    // The same card replaced the plan message for everyone.
    const firstUpdate = calls().find((c) => c.kind === 'update');
    expect(firstUpdate).toMatchObject({ activityId: planMessageId, conversationId: planConversation });
    expect(cardOf(firstUpdate)).toEqual(decision);
    rendered.decision = decision;

    await teams().idle();
    const after = calls();
    const thread = cardMessages(after);
    for (const m of thread) expect(m).toMatchObject({ kind: 'reply', activityId: planMessageId });
    // One progress message per step as it finishes, then the result with the re-audit verdict.
    const steps = thread.slice(0, -1).map((m) => plainOf(cardOf(m)));
    expect(steps).toHaveLength(1);
    expect(steps.join('\n')).toMatch(/metric filter/i);
    const verdict = plainOf(cardOf(thread.at(-1)));
    expect(verdict).toMatch(/Re-audit: COMPLIANT/);
    expect(verdict).not.toMatch(/NON.COMPLIANT|not compliant/i);
    // The final verdict is appended to the decided card, for everyone.
    const finalUpdate = after.filter((c) => c.kind === 'update').at(-1);
    expect(finalUpdate).toMatchObject({ activityId: planMessageId });
    const finalCard = cardOf(finalUpdate);
    expect(plainOf(finalCard)).toMatch(/Approved by Nestor Wilke[\s\S]*Re-audit: COMPLIANT/);
    rendered.verdict = cardOf(thread.at(-1));
    expect((await e.services.store.getApproval(approvalId))?.state).toBe('succeeded');
  });

  test('a second click on the decided plan is refused; nothing runs again', async () => {
    const before = e.run.sandbox.calls.length;
    const { body, calls } = await clickApprove(NESTOR);
    expect(body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(body.value).toMatch(/was approved by Nestor Wilke .* its execution succeeded/);
    await teams().idle();
    expect(calls()).toEqual([]);
    expect(e.run.sandbox.calls.slice(before).filter((c) => c.operation.startsWith('Put'))).toEqual([]);
  });

  test('a new audit of the account says COMPLIANT', async () => {
    const { calls } = await command(`4.1 audit --account ${DEV} --level verbose`);
    const text = cardMessages(calls)
      .map((m) => plainOf(cardOf(m)))
      .join('\n');
    expect(cardMessages(calls)[0]?.activity.summary).toMatch(/1 of 1 accounts? compliant/);
    expect(text).toMatch(/CIS 4\.1 compliant: account 333333333333 \(dev\)/);
    expect(text).toMatch(/Filter 'unauthorized_api_calls_metric' is equivalent to the CIS 4\.1 pattern/);
    expect(text).not.toMatch(/NON-COMPLIANT|NON_COMPLIANT|✗/);
  });

  test('the scheduler posts a digest to the channel through the stored reference, as a new thread', async () => {
    const mark = connector.calls.length;
    const result = await e.bot.scheduler.runNow('daily');
    expect(result.deliveries).toEqual([{ platform: 'teams', id: CHANNEL }]);
    const posted = cardMessages(since(mark));
    expect(posted.length).toBeGreaterThanOrEqual(1);
    for (const p of posted) {
      // sendToConversation on the channel itself: no replyToId, no thread suffix.
      expect(p).toMatchObject({ kind: 'send', conversationId: CHANNEL });
      expect(p.activity.replyToId).toBeUndefined();
    }
    // dev is fixed now: 2 of 7 compliant, 5 needing attention, each with its Remediate button.
    const digest = posted.map((p) => plainOf(cardOf(p))).join('\n');
    expect(posted[0]?.activity.summary).toMatch(/CIS digest "daily": 5 of 7 accounts need attention/);
    expect(digest).toMatch(/Compliant: 2/);
    expect(digest).toMatch(/333333333333 \(dev\)\ncompliant/);
    const buttons = posted.flatMap((p) => executeActions(cardOf(p)));
    const staging = buttons.find((b) => b.title.includes('222222222222'));
    expect(staging?.verb).toBe(ACTION_REMEDIATE);

    // A button of the digest works too: the answer goes in the digest message's thread.
    const digestMessage = posted.find((p) =>
      executeActions(cardOf(p)).some((b) => b.value === staging?.value),
    );
    const before = connector.calls.length;
    const res = await e.post(
      executeInvoke(connector.serviceUrl, {
        verb: ACTION_REMEDIATE,
        value: staging?.value ?? '',
        cardMessageId: digestMessage?.id ?? '',
      }),
    );
    expect(res.body).toMatchObject({ value: 'Done: the answer is in the thread.' });
    await teams().idle();
    const answers = cardMessages(since(before));
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ kind: 'reply', activityId: digestMessage?.id });
    expect(answers[0]?.activity.summary).toMatch(/222222222222/);
  });

  test('an unknown command gets the usage in the thread and reaches no AWS API', async () => {
    const before = e.run.sandbox.calls.length;
    const { msg, calls } = await command('4.1 destroy');
    const replies = cardMessages(calls);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ kind: 'reply', activityId: msg.id });
    expect(plainOf(cardOf(replies[0]))).toMatch(/audit|usage|help/i);
    expect(e.run.sandbox.calls.length).toBe(before);
  });

  test('"Propose a fix" on a finding card puts the plan in its thread; the requester may withdraw it', async () => {
    const [propose] = executeActions(cardOf(analyticsCard));
    expect(propose?.verb).toBe(ACTION_REMEDIATE);
    const mark = connector.calls.length;
    const res = await e.post(
      executeInvoke(connector.serviceUrl, {
        verb: ACTION_REMEDIATE,
        value: propose?.value ?? '',
        cardMessageId: analyticsCard?.id ?? '',
        conversationId: analyticsCard?.conversationId ?? '',
      }),
    );
    expect(res.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'Done: the answer is in the thread.',
    });
    await teams().idle();
    const replies = cardMessages(since(mark));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ kind: 'reply', activityId: analyticsCard?.id });
    expect(replies[0]?.activity.summary).toMatch(/remediation plan .*555555555555/i);
    const reject = executeActions(cardOf(replies[0])).find((b) => b.title === 'Reject');

    const before = connector.calls.length;
    const rejected = await e.post(
      executeInvoke(connector.serviceUrl, {
        verb: reject?.verb ?? '',
        value: reject?.value ?? '',
        cardMessageId: replies[0]?.id ?? '',
        conversationId: replies[0]?.conversationId ?? '',
      }),
    );
    expect(rejected.body).toMatchObject({ type: 'application/vnd.microsoft.card.adaptive' });
    expect(plainOf(rejected.body.value)).toMatch(/Rejected by Megan Bowen at /);
    await teams().idle();
    const after = since(before);
    expect(after.map((c) => c.kind)).toEqual(['update']);
    expect(after[0]).toMatchObject({ activityId: replies[0]?.id });
    expect((await e.services.store.getApproval(reject?.value ?? ''))?.state).toBe('rejected');
  });

  afterAll(() => {
    if (CARDS_OUT && rendered.finding && rendered.approval) {
      const about =
        'Adaptive Cards (schema 1.5) as the Teams adapter sent them to the Bot Connector in test/teams/e2e.test.ts: ' +
        'the audit-demo sandbox, account 333333333333 (dev). finding: the audit card; approval: the remediation plan ' +
        'with Approve (confirmation) and Reject; decision: the card that replaced it for everyone; verdict: the re-audit.';
      writeFileSync(CARDS_OUT, `${JSON.stringify({ about, ...rendered }, null, 2)}\n`);
    }
  });
});

describe('with Teams app credentials configured', () => {
  let secured: E2eBot;
  beforeAll(async () => {
    // botbuilder prints each rejected request's AuthenticationError with its stack.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    secured = await startE2eBot({
      run: e.run,
      document: (run) => ({ aws: { accounts: run.otherAccounts, region: run.defaultRegion } }),
      env: {
        MicrosoftAppId: '6f1c8f0e-2d1b-4a57-9c0e-0b6c2a7d9e11',
        MicrosoftAppPassword: 'not-a-real-secret',
        MicrosoftAppTenantId: TENANT_ID,
      },
    });
  });
  afterAll(async () => {
    await secured?.close();
    jest.restoreAllMocks();
  });

  test.each([
    ['no Authorization header', {}],
    ['a forged token', { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.' }],
  ])('a command with %s gets 401; nothing reaches the core', async (_name, headers) => {
    e.run.sandbox.resetCalls();
    const mark = connector.calls.length;
    const res = await secured.post(personalMessage(connector.serviceUrl, 'cis 4.1 audit'), headers);
    expect(res.status).toBe(401);
    await secured.bot.teams?.idle();
    expect(e.run.sandbox.calls).toEqual([]);
    expect(since(mark)).toEqual([]);
    expect(await secured.services.store.listAuditLog({ limit: 5 })).toEqual([]);
    expect(await secured.services.store.getConversationRef('teams', PERSONAL_CONVERSATION)).toBeUndefined();
  });
});
