/**
 * Transport tests of the Teams adapter: documented Teams activities POSTed to /api/messages over
 * loopback, botbuilder's real CloudAdapter, replies and updates recorded by a fake Bot Connector.
 *
 * Authentication is OFF here (CIS_BOT_TEAMS_DEV_NO_AUTH): a Bot Framework token is signed by Microsoft's
 * keys and checked against login.botframework.com's OpenID metadata, which a test cannot produce offline.
 * The auth-ON behaviour (401 before any handler) is covered in teams-auth.test.ts.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TeamsConversationUnknownError } from '../../adapters/teams/errors';
import { toAdaptiveCard } from '../../adapters/teams/render';
import { storeConversations } from '../../adapters/teams/teams-adapter';
import type { Card } from '../../src/core/cards';
import { ACTION_APPROVE, ACTION_REJECT } from '../../src/core/ports/chat';
import { openStore } from '../../src/store';
import {
  ALEX,
  asDirectLine,
  BOT,
  botAddedToTeam,
  CHANNEL,
  channelMention,
  executeInvoke,
  installationAdd,
  MEGAN,
  PERSONAL_CONVERSATION,
  personalMessage,
  submitMessage,
  TEAM,
  withoutEntraUser,
} from './activities';
import { type Harness, startHarness } from './harness';
import { AUDIT_CARD, RecordingCore } from './recording-core';

const APPROVED: Card = {
  summary: 'Approved by Alex Wilber',
  elements: [
    { type: 'heading', text: 'Plan approved' },
    { type: 'context', text: 'Approved by Alex Wilber' },
  ],
};
const PROGRESS: Card = {
  summary: 'Step 1/2 done',
  elements: [{ type: 'text', text: 'PutMetricFilter: done' }],
};
const VERDICT: Card = {
  summary: 'COMPLIANT',
  elements: [{ type: 'heading', text: '4.1 re-audit: COMPLIANT' }],
};
const planCard = (approvalId: string): Card => ({
  summary: `Remediation plan ${approvalId}`,
  elements: [
    { type: 'heading', text: 'Plan' },
    {
      type: 'actions',
      buttons: [
        { id: ACTION_APPROVE, label: 'Approve', style: 'primary', value: approvalId },
        { id: ACTION_REJECT, label: 'Reject', style: 'danger', value: approvalId },
      ],
    },
  ],
});

let core: RecordingCore;
let h: Harness;

/**
 * The bot posts the plan card of `approvalId` in a channel thread (as the answer to a command) and
 * returns the id of that message; the recordings are cleared, so a test sees only what its click does.
 */
async function postPlan(approvalId = 'apr-1'): Promise<string> {
  const previous = core.runResult;
  core.runResult = async () => [planCard(approvalId)];
  await h.post(channelMention(h.connector.serviceUrl, `4.1 remediate --account 111111111111`));
  await h.teams.idle();
  core.runResult = previous;
  const id = h.connector.messages().find((c) => c.activity.type === 'message')?.id;
  if (!id) throw new Error('the bot posted no plan');
  h.connector.reset();
  core.runs.length = 0;
  return id;
}

beforeEach(async () => {
  core = new RecordingCore();
  h = await startHarness({ core });
});

afterEach(async () => {
  await h.close();
});

describe('commands as messages', () => {
  test('a 1:1 command gets typing at once, then the cards as a reply to the command', async () => {
    const msg = personalMessage(h.connector.serviceUrl, 'cis 4.1 audit');
    const res = await h.post(msg);
    expect(res.status).toBe(200);
    await h.teams.idle();

    expect(core.runs).toEqual([
      {
        command: { verb: 'audit', control: '4.1' },
        ctx: {
          actor: { platform: 'teams', userId: MEGAN.aadObjectId, displayName: MEGAN.name },
          conversation: { platform: 'teams', id: PERSONAL_CONVERSATION },
        },
      },
    ]);
    const [typing, reply] = h.connector.messages();
    expect(typing?.activity.type).toBe('typing');
    expect(reply).toMatchObject({ kind: 'reply', conversationId: PERSONAL_CONVERSATION, activityId: msg.id });
    expect(reply?.activity).toMatchObject({
      type: 'message',
      summary: AUDIT_CARD.summary,
      replyToId: msg.id,
      attachments: [
        { contentType: 'application/vnd.microsoft.card.adaptive', content: toAdaptiveCard(AUDIT_CARD) },
      ],
    });
  });

  test('in a channel the bot @mention is stripped and the reply stays in the thread', async () => {
    const msg = channelMention(h.connector.serviceUrl, '4.1 audit --account 111111111111 --level verbose');
    await h.post(msg);
    await h.teams.idle();

    expect(core.runs[0]?.command).toEqual({
      verb: 'audit',
      control: '4.1',
      accounts: ['111111111111'],
      level: 'verbose',
    });
    // The channel is what people configure: the thread suffix is not part of the conversation id.
    expect(core.runs[0]?.ctx.conversation).toEqual({ platform: 'teams', id: CHANNEL });
    const reply = h.connector.messages().find((c) => c.activity.type === 'message');
    expect(reply).toMatchObject({ conversationId: `${CHANNEL};messageid=${msg.id}`, activityId: msg.id });
  });

  test('"cis help" and a bare mention both ask for help', async () => {
    await h.post(personalMessage(h.connector.serviceUrl, 'cis help'));
    await h.post(channelMention(h.connector.serviceUrl, ''));
    await h.teams.idle();
    expect(core.runs.map((r) => r.command)).toEqual([{ verb: 'help' }, { verb: 'help' }]);
  });

  test('an unknown command gets the usage as a reply and never reaches the core', async () => {
    const msg = channelMention(h.connector.serviceUrl, '4.1 destroy');
    const res = await h.post(msg);
    expect(res.status).toBe(200);
    await h.teams.idle();

    expect(core.runs).toEqual([]);
    const replies = h.connector.messages();
    expect(replies).toHaveLength(1);
    expect(replies[0]?.activityId).toBe(msg.id);
    const text = replies[0]?.activity.attachments[0].content.body[0].inlines[0];
    expect(text.fontType).toBe('Monospace');
    expect(text.text).toContain('"destroy" is not something I can do with control 4.1');
    expect(text.text).toContain('Usage:');
  });

  test('a failing core turns into a safe notice in the thread, never a stack trace', async () => {
    core.runResult = async () => {
      throw new Error('connect ECONNREFUSED 10.0.0.1:443 at Socket.<anonymous> (/app/node_modules/x.js:1:1)');
    };
    await h.post(personalMessage(h.connector.serviceUrl, 'cis 4.1 audit'));
    await h.teams.idle();

    const notice = h.connector.messages().find((c) => c.activity.type === 'message');
    const shown = JSON.stringify(notice?.activity);
    const ref = /cis-bot hit an unexpected error \(ref ([0-9a-f]{8})\)/.exec(shown)?.[1];
    expect(ref).toBeDefined();
    expect(shown).not.toContain('ECONNREFUSED');
    expect(shown).not.toContain('node_modules');
    // The reference finds the full story in the log.
    const line = h.logs.find((l) => l.level === 'error' && l.fields?.ref === ref);
    expect(JSON.stringify(line?.fields)).toContain('ECONNREFUSED');
  });

  test('commands outside teams.allowed_conversations are declined without calling the core', async () => {
    await h.close();
    h = await startHarness({ core, document: { teams: { allowed_conversations: [TEAM] } } });
    await h.post(channelMention(h.connector.serviceUrl, '4.1 audit'));
    await h.teams.idle();
    expect(core.runs).toEqual([]);
    expect(JSON.stringify(h.connector.messages()[0]?.activity)).toContain('teams.allowed_conversations');
    // …and handed to the core for the audit log.
    expect(core.refusals).toMatchObject([
      {
        actor: { platform: 'teams', userId: MEGAN.aadObjectId },
        conversation: { platform: 'teams', id: CHANNEL },
        reason: 'conversation-not-allowed',
        request: 'command',
      },
    ]);
  });
});

describe('Approve / Reject clicks (Action.Execute)', () => {
  test('approve: the invoke answers with the updated card, the message is updated for everyone, progress and verdict follow in the thread', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    core.clickResult = async (_click, progress) => ({
      kind: 'updated',
      card: APPROVED,
      followUp: (async () => {
        await gate;
        await progress(PROGRESS);
        return VERDICT;
      })(),
    });
    const cardMessageId = await postPlan();
    const res = await h.post(
      executeInvoke(h.connector.serviceUrl, {
        verb: ACTION_APPROVE,
        value: 'apr-1',
        cardMessageId,
        from: ALEX,
      }),
    );

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: toAdaptiveCard(APPROVED),
    });
    expect(core.clicks).toEqual([
      {
        // The card's message and its thread go with the click: a run resumed elsewhere reports there.
        click: {
          actionId: ACTION_APPROVE,
          value: 'apr-1',
          message: { messageRef: cardMessageId, threadRef: `${CHANNEL};messageid=${cardMessageId}` },
        },
        ctx: {
          actor: { platform: 'teams', userId: ALEX.aadObjectId, displayName: ALEX.name },
          conversation: { platform: 'teams', id: CHANNEL },
        },
      },
    ]);
    // Everyone sees the decision: the original message was replaced before the invoke was answered.
    expect(h.connector.updates()).toHaveLength(1);
    expect(h.connector.updates()[0]).toMatchObject({
      conversationId: `${CHANNEL};messageid=${cardMessageId}`,
      activityId: cardMessageId,
      activity: { type: 'message', id: cardMessageId, attachments: [{ content: toAdaptiveCard(APPROVED) }] },
    });

    release();
    await h.teams.idle();
    const replies = h.connector.messages();
    expect(replies.map((c) => c.activity.summary)).toEqual([PROGRESS.summary, VERDICT.summary]);
    expect(replies.every((c) => c.activityId === cardMessageId)).toBe(true);
    // The message ends with the decision and the verdict.
    const last = h.connector.updates()[1];
    expect(
      last?.activity.attachments[0].content.body.map(
        (b: { inlines?: Array<{ text: string }> }) => b.inlines?.[0]?.text,
      ),
    ).toEqual(['Plan approved', 'Approved by Alex Wilber', '4.1 re-audit: COMPLIANT']);
  });

  test('a refused click is answered to the clicker only; the card is not touched', async () => {
    core.clickResult = async () => ({ kind: 'refused', message: 'You cannot approve your own request.' });
    const res = await h.post(
      executeInvoke(h.connector.serviceUrl, {
        verb: ACTION_APPROVE,
        value: 'apr-1',
        cardMessageId: '1632474074231',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'You cannot approve your own request.',
    });
    await h.teams.idle();
    expect(h.connector.updates()).toEqual([]);
    expect(h.connector.messages()).toEqual([]);
  });

  test('a reply result posts the cards in the thread of the clicked message', async () => {
    core.clickResult = async () => ({ kind: 'reply', cards: [AUDIT_CARD] });
    const res = await h.post(
      executeInvoke(h.connector.serviceUrl, {
        verb: 'cis:remediate',
        value: '4.1:111111111111',
        cardMessageId: '77',
      }),
    );
    expect(res.body.type).toBe('application/vnd.microsoft.activity.message');
    expect(h.connector.messages()).toMatchObject([
      { activityId: '77', activity: { summary: AUDIT_CARD.summary } },
    ]);
    expect(h.connector.updates()).toEqual([]);
  });

  test('a failing click is answered with a safe message', async () => {
    core.clickResult = async () => {
      throw new Error('SQLITE_BUSY: database is locked');
    };
    const res = await h.post(
      executeInvoke(h.connector.serviceUrl, { verb: ACTION_APPROVE, value: 'apr-1', cardMessageId: '77' }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringMatching(/^cis-bot hit an unexpected error \(ref [0-9a-f]{8}\)/),
    });
    expect(JSON.stringify(res.body)).not.toContain('SQLITE_BUSY');
  });

  test('an invoke that is not one of our actions is rejected without calling the core', async () => {
    const bad = executeInvoke(h.connector.serviceUrl, {
      verb: ACTION_APPROVE,
      value: 'x',
      cardMessageId: '77',
    });
    (bad.value.action as { data: unknown }).data = { somethingElse: true };
    const res = await h.post(bad);
    expect(res.body).toMatchObject({ statusCode: 400 });
    expect(core.clicks).toEqual([]);
  });
});

describe('Action.Submit fallback (older clients)', () => {
  test('approve through the fallback updates the message for everyone', async () => {
    const cardMessageId = await postPlan();
    core.clickResult = async () => ({ kind: 'updated', card: APPROVED });
    const msg = submitMessage(h.connector.serviceUrl, {
      verb: ACTION_APPROVE,
      value: 'apr-1',
      cardMessageId,
    });
    expect((await h.post(msg)).status).toBe(200);
    await h.teams.idle();
    expect(core.clicks[0]?.click).toMatchObject({
      actionId: ACTION_APPROVE,
      value: 'apr-1',
      message: { messageRef: cardMessageId },
    });
    expect(core.runs).toEqual([]);
    expect(h.connector.updates()).toMatchObject([{ activityId: cardMessageId }]);
  });

  test('a refusal through the fallback can only be said in the thread', async () => {
    core.clickResult = async () => ({ kind: 'refused', message: 'Only approvers can approve.' });
    await h.post(
      submitMessage(h.connector.serviceUrl, { verb: ACTION_APPROVE, value: 'apr-1', cardMessageId: '55' }),
    );
    await h.teams.idle();
    expect(h.connector.updates()).toEqual([]);
    expect(h.connector.messages()).toHaveLength(1);
    expect(JSON.stringify(h.connector.messages()[0]?.activity)).toContain('Only approvers can approve.');
  });
});

describe('who may act: Teams users known to Entra, nobody else', () => {
  const NO_IDENTITY = /cannot tell who sent this/;

  test('activities of another channel of the bot (Direct Line) are ignored: no command, no click, no reference', async () => {
    core.clickResult = async () => ({ kind: 'updated', card: APPROVED });
    const url = h.connector.serviceUrl;
    const command = await h.post(asDirectLine(personalMessage(url, 'cis 4.1 audit')));
    const submit = await h.post(
      asDirectLine(submitMessage(url, { verb: ACTION_APPROVE, value: 'apr-1', cardMessageId: '55' })),
    );
    const invoke = await h.post(
      asDirectLine(executeInvoke(url, { verb: ACTION_APPROVE, value: 'apr-1', cardMessageId: '55' })),
    );
    await h.teams.idle();

    expect([command.status, submit.status, invoke.status]).toEqual([200, 200, 200]);
    expect(invoke.body).toMatchObject({ value: 'cis-bot does not serve this conversation.' });
    expect(core.runs).toEqual([]);
    expect(core.clicks).toEqual([]);
    expect(h.refs.size).toBe(0);
    expect(h.connector.calls).toEqual([]);
    expect(h.logs.filter((l) => l.message.includes('not from the Microsoft Teams channel'))).toHaveLength(3);
    expect(core.refusals.map((r) => [r.reason, r.request, r.detail?.why, r.detail?.channelId])).toEqual([
      ['not-served', 'message', 'it is not from the Microsoft Teams channel', 'directline'],
      ['not-served', 'message', 'it is not from the Microsoft Teams channel', 'directline'],
      ['not-served', 'invoke', 'it is not from the Microsoft Teams channel', 'directline'],
    ]);
  });

  test('a Teams message without an Entra user is refused, never attributed to from.id', async () => {
    const msg = withoutEntraUser(
      personalMessage(h.connector.serviceUrl, 'cis 4.1 remediate --account 111111111111'),
    );
    expect((await h.post(msg)).status).toBe(200);
    await h.teams.idle();
    expect(core.runs).toEqual([]);
    const notices = h.connector.messages();
    expect(notices).toHaveLength(1);
    expect(JSON.stringify(notices[0]?.activity)).toMatch(NO_IDENTITY);
    expect(core.refusals).toEqual([
      {
        conversation: { platform: 'teams', id: PERSONAL_CONVERSATION },
        reason: 'no-identity',
        request: 'remediate',
        detail: { fromId: MEGAN.id },
      },
    ]);
  });

  test('a click without an Entra user is refused to the clicker and never reaches the core', async () => {
    core.clickResult = async () => ({ kind: 'updated', card: APPROVED });
    const cardMessageId = await postPlan();
    const res = await h.post(
      withoutEntraUser(
        executeInvoke(h.connector.serviceUrl, { verb: ACTION_APPROVE, value: 'apr-1', cardMessageId }),
      ),
    );
    expect(res.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringMatching(NO_IDENTITY),
    });
    // The Action.Submit fallback too: the refusal can only be said in the thread.
    await h.post(
      withoutEntraUser(
        submitMessage(h.connector.serviceUrl, { verb: ACTION_APPROVE, value: 'apr-1', cardMessageId }),
      ),
    );
    await h.teams.idle();
    expect(core.clicks).toEqual([]);
    expect(h.connector.updates()).toEqual([]);
    expect(h.connector.messages()).toHaveLength(1);
    expect(JSON.stringify(h.connector.messages()[0]?.activity)).toMatch(NO_IDENTITY);
    expect(core.refusals.map((r) => [r.reason, r.request, r.actor])).toEqual([
      ['no-identity', ACTION_APPROVE, undefined],
      ['no-identity', ACTION_APPROVE, undefined],
    ]);
  });
});

describe("which message a click may replace (replyToId is the client's word)", () => {
  /** A click whose decision card is `APPROVED`, with the verdict following. */
  function approving() {
    core.clickResult = async () => ({ kind: 'updated', card: APPROVED, followUp: Promise.resolve(VERDICT) });
  }
  async function expectPostedAnew(res: { status: number; body: { type?: string } }, replyTo: string) {
    expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
    await h.teams.idle();
    expect(h.connector.updates()).toEqual([]);
    // The decision and the verdict are new messages in the thread; no message was overwritten.
    expect(h.connector.messages().map((m) => [m.kind, m.activityId, m.activity.summary])).toEqual([
      ['reply', replyTo, APPROVED.summary],
      ['reply', replyTo, VERDICT.summary],
    ]);
  }

  test('a message the bot never posted is not overwritten: the decision goes in a new message', async () => {
    approving();
    const res = await h.post(
      executeInvoke(h.connector.serviceUrl, {
        verb: ACTION_APPROVE,
        value: 'apr-1',
        cardMessageId: '1632474074999',
        from: ALEX,
      }),
    );
    expect(core.clicks).toHaveLength(1);
    await expectPostedAnew(res, '1632474074999');
  });

  test("a bot message that does not carry the clicked button (another plan's card) is not overwritten", async () => {
    const otherPlan = await postPlan('apr-2');
    approving();
    const res = await h.post(
      executeInvoke(h.connector.serviceUrl, {
        verb: ACTION_APPROVE,
        value: 'apr-1',
        cardMessageId: otherPlan,
        from: ALEX,
      }),
    );
    await expectPostedAnew(res, otherPlan);
  });

  test('a bot message of another conversation is not overwritten', async () => {
    const plan = await postPlan('apr-1');
    approving();
    const res = await h.post(
      executeInvoke(h.connector.serviceUrl, {
        verb: ACTION_APPROVE,
        value: 'apr-1',
        cardMessageId: plan,
        conversationId: PERSONAL_CONVERSATION,
        from: ALEX,
      }),
    );
    await expectPostedAnew(res, plan);
  });
});

describe('conversation references and proactive posts', () => {
  test('stored when the bot is added to a team, on install, and on every message', async () => {
    expect((await h.post(botAddedToTeam(h.connector.serviceUrl))).status).toBe(200);
    expect((await h.post(installationAdd(h.connector.serviceUrl))).status).toBe(200);
    await h.post(channelMention(h.connector.serviceUrl, 'help'));
    await h.teams.idle();

    expect([...h.refs.keys()]).toEqual([TEAM, PERSONAL_CONVERSATION, CHANNEL]);
    // Installations are logged with the id to put in schedules' targets.teams.
    expect(h.logs.filter((l) => l.level === 'info').map((l) => l.fields?.conversationId)).toEqual([
      TEAM,
      PERSONAL_CONVERSATION,
    ]);
    // Stored at channel level, with no message to reply to and no user.
    expect(h.refs.get(CHANNEL)).toEqual({
      bot: BOT,
      conversation: { isGroup: true, conversationType: 'channel', tenantId: expect.any(String), id: CHANNEL },
      channelId: 'msteams',
      locale: 'en-US',
      serviceUrl: h.connector.serviceUrl,
    });
  });

  test('the poster posts through the stored reference, as a new thread', async () => {
    await h.post(botAddedToTeam(h.connector.serviceUrl));
    await h.teams.poster.post(TEAM, [AUDIT_CARD, VERDICT]);
    const posts = h.connector.messages();
    expect(posts.map((p) => [p.kind, p.conversationId, p.activity.summary])).toEqual([
      ['send', TEAM, AUDIT_CARD.summary],
      ['send', TEAM, VERDICT.summary],
    ]);
    expect(posts[0]?.activity.attachments[0].content).toEqual(toAdaptiveCard(AUDIT_CARD));
  });

  test("a resumed run posts as replies to the approval's card, in its thread", async () => {
    await h.post(botAddedToTeam(h.connector.serviceUrl));
    const thread = `${TEAM};messageid=card-7`;
    await h.teams.poster.postInThread?.(
      { platform: 'teams', id: TEAM, messageRef: 'card-7', threadRef: thread },
      [VERDICT],
    );
    // A thread of another conversation is not followed: the reply goes to the approval's own one.
    await h.teams.poster.postInThread?.(
      { platform: 'teams', id: TEAM, messageRef: 'card-7', threadRef: '19:other@thread.tacv2;messageid=x' },
      [VERDICT],
    );
    expect(h.connector.messages().map((m) => [m.kind, m.conversationId, m.activityId])).toEqual([
      ['reply', thread, 'card-7'],
      ['reply', TEAM, 'card-7'],
    ]);
  });

  test('the poster refuses clearly where no reference is stored', async () => {
    await expect(h.teams.poster.post('19:unknown@thread.tacv2', [AUDIT_CARD])).rejects.toThrow(
      TeamsConversationUnknownError,
    );
    await expect(h.teams.poster.post('19:unknown@thread.tacv2', [AUDIT_CARD])).rejects.toThrow(
      /no conversation reference is stored/,
    );
    expect(h.connector.calls).toEqual([]);
  });

  test('with the durable store, a reference stored before a restart still posts after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cis-teams-'));
    try {
      const first = openStore(join(dir, 'cis.db'));
      await h.close();
      h = await startHarness({ core, conversations: storeConversations(first) });
      await h.post(botAddedToTeam(h.connector.serviceUrl));
      const connector = h.connector;
      await first.close();

      // A new process: new adapter, store reopened from disk, same Bot Connector.
      await h.teams.idle();
      const second = openStore(join(dir, 'cis.db'));
      const restarted = await startHarness({ core, conversations: storeConversations(second), connector });
      try {
        await restarted.teams.poster.post(TEAM, [VERDICT]);
        expect(connector.messages().map((m) => [m.kind, m.conversationId, m.activity.summary])).toEqual([
          ['send', TEAM, VERDICT.summary],
        ]);
      } finally {
        await restarted.close();
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
