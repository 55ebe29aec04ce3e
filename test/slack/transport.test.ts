/**
 * Transport tests of the Slack adapter: Bolt's real ExpressReceiver receives signed requests shaped as
 * Slack documents them, the real WebClient talks to the loopback fake Slack Web API. The core here only
 * records calls: these tests are about what reaches it (and what never does) and what Slack is sent.
 */

import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack-adapter';
import { SocketDeliveryReceiver } from '../../adapters/slack/socket-receiver';
import { loadConfig } from '../../src/config/load';
import type { Card } from '../../src/core/cards';
import { ACTION_APPROVE, ACTION_REMEDIATE } from '../../src/core/ports/chat';
import {
  FAKE_BOT_TOKEN,
  FakeSlackApi,
  type FakeSlackOptions,
  validateBlockKit,
} from '../support/fake-slack-api';
import {
  blockActionsBody,
  nowSeconds,
  postSigned,
  RecordingCore,
  recordingLogger,
  SIGNING_SECRET,
  sign,
  slackConfig,
  slashCommandBody,
} from './helpers';

const CHANNEL = 'C0SECOPS01';

interface Harness {
  fake: FakeSlackApi;
  core: RecordingCore;
  adapter: SlackAdapter;
  url: string;
  log: ReturnType<typeof recordingLogger>;
}

const harnesses: Harness[] = [];

async function harness(
  document: Record<string, unknown> = {},
  fakeOptions: FakeSlackOptions = {},
): Promise<Harness> {
  const fake = await FakeSlackApi.start(fakeOptions);
  const core = new RecordingCore();
  const log = recordingLogger();
  const adapter = createSlackAdapter({
    config: slackConfig(fake.apiUrl, document),
    core,
    logger: log.logger,
  });
  await adapter.start({ port: 0, host: '127.0.0.1' });
  const address = adapter.server?.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  const h = { fake, core, adapter, url: `http://127.0.0.1:${address.port}/slack/events`, log };
  harnesses.push(h);
  return h;
}

afterAll(async () => {
  for (const h of harnesses) {
    await h.adapter.stop();
    await h.fake.close();
  }
});

/** Every Web API call and response_url post was accepted: nothing we sent broke Block Kit's limits. */
function expectAllAccepted(fake: FakeSlackApi) {
  const refused = fake.calls.filter((c) => c.response.ok !== true);
  expect(refused).toEqual([]);
  for (const call of fake.calls.filter((c) => c.method.startsWith('chat.') || c.method === 'response_url')) {
    expect(validateBlockKit(call.args)).toEqual([]);
  }
}

const findingCard: Card = {
  summary: '4.1 NON_COMPLIANT in 111122223333: no metric filter for unauthorized API calls',
  elements: [
    { type: 'heading', text: '4.1 Unauthorized API calls: NON_COMPLIANT' },
    { type: 'fields', fields: [{ label: 'Account', value: '111122223333' }] },
  ],
};

describe('slash command', () => {
  it('acks, posts a progress message, runs the command and puts the result in its place', async () => {
    const { fake, core, adapter, url, log } = await harness();
    core.onRun = async () => [findingCard];
    const responseUrl = fake.responseUrl();
    const res = await postSigned(url, {
      body: slashCommandBody({ text: '4.1 audit', response_url: responseUrl }),
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await adapter.idle();

    expect(core.runs).toEqual([
      {
        command: { verb: 'audit', control: '4.1' },
        ctx: {
          actor: { platform: 'slack', userId: 'U0ALICE001', displayName: 'alice', groups: [] },
          conversation: { platform: 'slack', id: CHANNEL },
        },
      },
    ]);
    const chat = fake.calls.filter((c) => c.method !== 'auth.test');
    expect(chat.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
    expect(chat[0]?.args).toMatchObject({
      channel: CHANNEL,
      text: ':hourglass_flowing_sand: Running `/cis 4.1 audit` for <@U0ALICE001>…',
    });
    const progressTs = chat[0]?.response.ts as string;
    expect(chat[1]?.args.ts).toBe(progressTs);
    const message = fake.message(CHANNEL, progressTs);
    expect(message?.text).toBe(findingCard.summary);
    expect(message?.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '4.1 Unauthorized API calls: NON_COMPLIANT', emoji: true },
    });
    expectAllAccepted(fake);
    // The core ran only after the ack was sent.
    const events = log.events();
    expect(events.indexOf('slack.command.acked')).toBeLessThan(events.indexOf('slack.command.run'));
  });

  it('answers an unknown command with an ephemeral usage message and never calls the core', async () => {
    const { fake, core, adapter, url } = await harness();
    const responseUrl = fake.responseUrl();
    const res = await postSigned(url, {
      body: slashCommandBody({ text: 'launch missiles', response_url: responseUrl }),
    });
    expect(res.status).toBe(200);
    await adapter.idle();
    expect(core.runs).toEqual([]);
    const responses = fake.callsTo('response_url');
    expect(responses).toHaveLength(1);
    expect(responses[0]?.args.response_type).toBe('ephemeral');
    expect(JSON.stringify(responses[0]?.args.blocks)).toContain("I don't know");
    expect(JSON.stringify(responses[0]?.args.blocks)).toContain('Usage:');
    expect(fake.callsTo('chat.postMessage')).toEqual([]);
    expectAllAccepted(fake);
  });

  it('refuses commands outside the allowed channels, ephemerally', async () => {
    const { fake, core, adapter, url } = await harness({ slack: { allowed_channels: ['C0ALLOWED1'] } });
    const res = await postSigned(url, {
      body: slashCommandBody({
        text: '4.1 audit',
        response_url: fake.responseUrl(),
        channel_id: 'C0RANDOM01',
      }),
    });
    expect(res.status).toBe(200);
    await adapter.idle();
    expect(core.runs).toEqual([]);
    const [response] = fake.callsTo('response_url');
    expect(response?.args.response_type).toBe('ephemeral');
    expect(response?.args.text).toContain('<#C0ALLOWED1>');
    expect(fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('shows help ephemerally', async () => {
    const { fake, core, adapter, url } = await harness();
    core.onRun = async () => [{ summary: 'cis-bot help', elements: [{ type: 'text', text: 'Usage: ...' }] }];
    await postSigned(url, { body: slashCommandBody({ text: 'help', response_url: fake.responseUrl() }) });
    await adapter.idle();
    expect(core.runs.map((r) => r.command)).toEqual([{ verb: 'help' }]);
    expect(fake.callsTo('response_url')[0]?.args.response_type).toBe('ephemeral');
    expect(fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('continues a result too large for one message in the thread, every message within limits', async () => {
    const { fake, core, adapter, url } = await harness();
    const rows = Array.from({ length: 400 }, (_, i) => [
      `1111${String(i).padStart(8, '0')}`,
      `arn:aws:cloudtrail:eu-west-2:111122223333:trail/trail-${i}`,
      'NON_COMPLIANT',
    ]);
    core.onRun = async () => [
      {
        summary: '4.1 audit of 400 accounts: 400 NON_COMPLIANT',
        elements: [
          { type: 'heading', text: '4.1 audit: 400 accounts' },
          { type: 'table', columns: ['Account', 'Trail', 'Verdict'], rows },
          ...Array.from({ length: 60 }, (_, i) => ({
            type: 'text' as const,
            text: `Finding ${i}: ${'x'.repeat(900)}`,
          })),
        ],
      },
    ];
    await postSigned(url, {
      body: slashCommandBody({ text: '4.1 audit', response_url: fake.responseUrl() }),
    });
    await adapter.idle();
    const [progress] = fake.callsTo('chat.postMessage');
    const progressTs = progress?.response.ts as string;
    expect(fake.message(CHANNEL, progressTs)?.updates).toBe(1);
    const thread = fake.thread(CHANNEL, progressTs);
    expect(thread.length).toBeGreaterThan(1);
    expect(thread.every((m) => m.text.endsWith('(continued)'))).toBe(true);
    expectAllAccepted(fake);
  });

  it('falls back to the response_url when the bot is not in the channel', async () => {
    const { fake, core, adapter, url } = await harness({}, { notInChannel: ['C0PRIVATE1'] });
    core.onRun = async () => [findingCard];
    await postSigned(url, {
      body: slashCommandBody({
        text: '4.1 audit',
        response_url: fake.responseUrl(),
        channel_id: 'C0PRIVATE1',
      }),
    });
    await adapter.idle();
    expect(fake.callsTo('chat.postMessage').map((c) => c.response.error)).toEqual(['not_in_channel']);
    const responses = fake.callsTo('response_url');
    expect(responses).toHaveLength(1);
    expect(responses[0]?.args).toMatchObject({ response_type: 'in_channel', text: findingCard.summary });
    expect(core.runs).toHaveLength(1);
  });

  it('shows a safe message with a reference, never a stack trace, when the core fails unexpectedly', async () => {
    const { fake, core, adapter, url, log } = await harness();
    core.onRun = async () => {
      throw new TypeError('Cannot read properties of undefined (reading "Trails")');
    };
    await postSigned(url, {
      body: slashCommandBody({ text: '4.1 audit', response_url: fake.responseUrl() }),
    });
    await adapter.idle();
    const [update] = fake.callsTo('chat.update');
    const text = update?.args.text as string;
    expect(text).toMatch(/^:warning: Something went wrong \(ref [0-9a-f]{8}\)/);
    expect(text).not.toContain('TypeError');
    expect(text).not.toContain('Trails');
    const ref = /ref ([0-9a-f]{8})/.exec(text)?.[1];
    expect(log.lines.some((l) => l.includes(`"ref":"${ref}"`) && l.includes('Trails'))).toBe(true);
  });
});

describe('request authenticity', () => {
  it('rejects a forged signature with 401 and changes nothing', async () => {
    const { fake, core, adapter, url } = await harness();
    const body = slashCommandBody({ text: '4.1 remediate', response_url: fake.responseUrl() });
    const res = await postSigned(url, { body, secret: 'not-the-signing-secret' });
    expect(res.status).toBe(401);
    const tampered = await postSigned(url, {
      body: body.replace('remediate', 'audit'),
      signature: sign(body, nowSeconds()),
    });
    expect(tampered.status).toBe(401);
    await adapter.idle();
    expect(core.runs).toEqual([]);
    expect(fake.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('rejects a replayed old request (more than five minutes) and a timestamp in the future', async () => {
    const { fake, core, adapter, url } = await harness();
    const body = slashCommandBody({ text: '4.1 audit', response_url: fake.responseUrl() });
    const old = await postSigned(url, { body, timestamp: nowSeconds() - 6 * 60 });
    const future = await postSigned(url, { body, timestamp: nowSeconds() + 6 * 60 });
    expect([old.status, future.status]).toEqual([401, 401]);
    await adapter.idle();
    expect(core.runs).toEqual([]);
    expect(fake.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('runs a signed request once: an identical replay within the window is refused', async () => {
    const { fake, core, adapter, url } = await harness();
    const body = slashCommandBody({ text: '4.1 audit', response_url: fake.responseUrl() });
    const timestamp = nowSeconds();
    const first = await postSigned(url, { body, timestamp });
    const replay = await postSigned(url, { body, timestamp });
    expect([first.status, replay.status]).toEqual([200, 401]);
    await adapter.idle();
    expect(core.runs).toHaveLength(1);
  });

  it('rejects a click with a bad signature before it reaches the core', async () => {
    const { fake, core, adapter, url } = await harness();
    const body = blockActionsBody({
      actionId: ACTION_APPROVE,
      value: 'apr-1',
      response_url: fake.responseUrl(),
      messageTs: '1700000001.000001',
    });
    const res = await postSigned(url, { body, secret: 'wrong' });
    expect(res.status).toBe(401);
    await adapter.idle();
    expect(core.clicks).toEqual([]);
  });

  it('keeps tokens, secrets and response URLs out of the logs', async () => {
    const { fake, adapter, url, log } = await harness();
    await postSigned(url, {
      body: slashCommandBody({ text: '4.1 audit', response_url: fake.responseUrl() }),
    });
    await adapter.idle();
    const all = log.lines.join('\n');
    expect(log.lines.length).toBeGreaterThan(0);
    expect(all).not.toContain(FAKE_BOT_TOKEN);
    expect(all).not.toContain(SIGNING_SECRET);
    expect(all).not.toContain('fake-response-secret');
    expect(all).not.toContain('gIkuvaNzQIHg97ATvDxqgjtO');
  });
});

describe('button clicks', () => {
  async function postPlan(h: Harness): Promise<string> {
    const posted = await h.adapter.client.chat.postMessage({
      channel: CHANNEL,
      text: 'Plan',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Plan' } }],
    });
    return posted.ts as string;
  }

  it('shows a refusal to the clicker only and leaves the message as it was', async () => {
    const h = await harness();
    const ts = await postPlan(h);
    h.core.onClick = async () => ({
      kind: 'refused',
      message: 'Only approvers in <!subteam^S0SECLEADS> may approve.',
    });
    const res = await postSigned(h.url, {
      body: blockActionsBody({
        actionId: ACTION_APPROVE,
        value: 'apr-1',
        response_url: h.fake.responseUrl(),
        messageTs: ts,
      }),
    });
    expect(res.status).toBe(200);
    await h.adapter.idle();
    // The clicked message (and its thread) goes with the click: a run resumed elsewhere reports there.
    expect(h.core.clicks.map((c) => c.click)).toEqual([
      {
        actionId: ACTION_APPROVE,
        value: 'apr-1',
        message: { messageRef: '1700000001.000001', threadRef: '1700000001.000001' },
      },
    ]);
    expect(h.fake.ephemerals).toEqual([
      {
        channel: CHANNEL,
        user: 'U0BOB00001',
        text: 'Only approvers in &lt;!subteam^S0SECLEADS&gt; may approve.',
        blocks: [],
      },
    ]);
    expect(h.fake.callsTo('chat.update')).toEqual([]);
    expect(h.fake.message(CHANNEL, ts)?.updates).toBe(0);
  });

  it('tells the core which configured approver groups the clicker is in', async () => {
    const h = await harness(
      { approvals: { slack: { user_groups: ['S0SECLEADS', 'S0PLATFORM'] } } },
      { userGroups: { S0SECLEADS: ['U0BOB00001', 'U0CAROL001'], S0PLATFORM: ['U0CAROL001'] } },
    );
    const ts = await postPlan(h);
    await postSigned(h.url, {
      body: blockActionsBody({
        actionId: ACTION_APPROVE,
        value: 'apr-1',
        response_url: h.fake.responseUrl(),
        messageTs: ts,
      }),
    });
    await postSigned(h.url, {
      body: blockActionsBody({
        actionId: ACTION_APPROVE,
        value: 'apr-1',
        response_url: h.fake.responseUrl(),
        messageTs: ts,
        userId: 'U0CAROL001',
        userName: 'carol',
      }),
    });
    await h.adapter.idle();
    expect(h.core.clicks.map((c) => c.ctx.actor)).toEqual([
      { platform: 'slack', userId: 'U0BOB00001', displayName: 'bob', groups: ['S0SECLEADS'] },
      { platform: 'slack', userId: 'U0CAROL001', displayName: 'carol', groups: ['S0SECLEADS', 'S0PLATFORM'] },
    ]);
    // Cached: one lookup per group for both clicks.
    expect(h.fake.callsTo('usergroups.users.list')).toHaveLength(2);
  });

  it('replaces the clicked message, posts progress and the verdict in its thread, and ends the message with the verdict', async () => {
    const h = await harness();
    const ts = await postPlan(h);
    h.core.onClick = async (_click, ctx, progress) => {
      const followUp = (async () => {
        await progress({
          summary: 'Step 1/2 done',
          elements: [{ type: 'text', text: 'PutMetricFilter: done' }],
        });
        await progress({
          summary: 'Step 2/2 done',
          elements: [{ type: 'text', text: 'PutMetricAlarm: done' }],
        });
        return {
          summary: 'Re-audit: COMPLIANT',
          elements: [{ type: 'heading', text: 'Re-audit: COMPLIANT' }],
        } as Card;
      })();
      return {
        kind: 'updated',
        card: {
          summary: `Approved by ${ctx.actor.displayName}`,
          elements: [{ type: 'context', text: `Approved by <@${ctx.actor.userId}> at 10:00 UTC` }],
        },
        followUp,
      };
    };
    await postSigned(h.url, {
      body: blockActionsBody({
        actionId: ACTION_APPROVE,
        value: 'apr-1',
        response_url: h.fake.responseUrl(),
        messageTs: ts,
      }),
    });
    await h.adapter.idle();
    const message = h.fake.message(CHANNEL, ts);
    expect(message?.updates).toBe(2);
    expect(message?.text).toBe('Re-audit: COMPLIANT');
    expect(message?.blocks).toEqual([
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'Approved by &lt;@U0BOB00001&gt; at 10:00 UTC' }],
      },
      { type: 'divider' },
      { type: 'header', text: { type: 'plain_text', text: 'Re-audit: COMPLIANT', emoji: true } },
    ]);
    expect(h.fake.thread(CHANNEL, ts).map((m) => m.text)).toEqual([
      'Step 1/2 done',
      'Step 2/2 done',
      'Re-audit: COMPLIANT',
    ]);
    expectAllAccepted(h.fake);
  });

  it('ends the message with a safe "Stopped" verdict when the follow-up fails', async () => {
    const h = await harness();
    const ts = await postPlan(h);
    h.core.onClick = async () => ({
      kind: 'updated',
      card: { summary: 'Approved by bob', elements: [{ type: 'context', text: 'Approved by bob' }] },
      followUp: Promise.reject(new Error('socket hang up at 10.0.0.12')),
    });
    await postSigned(h.url, {
      body: blockActionsBody({
        actionId: ACTION_APPROVE,
        value: 'apr-1',
        response_url: h.fake.responseUrl(),
        messageTs: ts,
      }),
    });
    await h.adapter.idle();
    const [verdict] = h.fake.thread(CHANNEL, ts);
    expect(verdict?.text).toMatch(/^Stopped: Something went wrong \(ref [0-9a-f]{8}\)/);
    expect(JSON.stringify(h.fake.message(CHANNEL, ts)?.blocks)).toContain('Stopped: Something went wrong');
    expect(JSON.stringify(h.fake.calls)).not.toContain('10.0.0.12');
  });

  it('posts reply cards in the thread of the clicked message and routes suffixed action ids', async () => {
    const h = await harness();
    const ts = await postPlan(h);
    h.core.onClick = async (click) => ({
      kind: 'reply',
      cards: [{ summary: `Plan for ${click.value}`, elements: [{ type: 'text', text: 'plan' }] }],
    });
    await postSigned(h.url, {
      body: blockActionsBody({
        actionId: `${ACTION_REMEDIATE}#2`,
        value: '4.1:111122223333',
        response_url: h.fake.responseUrl(),
        messageTs: ts,
      }),
    });
    await h.adapter.idle();
    expect(h.core.clicks.map((c) => c.click)).toEqual([
      {
        actionId: ACTION_REMEDIATE,
        value: '4.1:111122223333',
        message: { messageRef: ts, threadRef: ts },
      },
    ]);
    expect(h.fake.thread(CHANNEL, ts).map((m) => m.text)).toEqual(['Plan for 4.1:111122223333']);
  });

  it('shows an unexpected failure of a click to the clicker as a safe message', async () => {
    const h = await harness();
    const ts = await postPlan(h);
    h.core.onClick = async () => {
      throw new Error('database is locked');
    };
    await postSigned(h.url, {
      body: blockActionsBody({
        actionId: ACTION_APPROVE,
        value: 'apr-1',
        response_url: h.fake.responseUrl(),
        messageTs: ts,
      }),
    });
    await h.adapter.idle();
    expect(h.fake.ephemerals).toHaveLength(1);
    expect(h.fake.ephemerals[0]?.text).toMatch(/^Something went wrong \(ref [0-9a-f]{8}\)/);
    expect(h.fake.ephemerals[0]?.text).not.toContain('database');
    expect(h.fake.message(CHANNEL, ts)?.updates).toBe(0);
  });
});

describe('poster (scheduler)', () => {
  it('posts the first message to the channel and continuations in its thread, waiting out a 429', async () => {
    const h = await harness();
    h.fake.failNext('chat.postMessage', { retryAfter: 1 });
    const cards: Card[] = Array.from({ length: 3 }, (_, i) => ({
      summary: `Digest part ${i}`,
      elements: Array.from({ length: 20 }, (_, j) => ({
        type: 'text' as const,
        text: `line ${i}.${j} ${'y'.repeat(400)}`,
      })),
    }));
    await h.adapter.poster.post(CHANNEL, cards);
    const posts = h.fake.callsTo('chat.postMessage');
    expect(posts[0]?.response.error).toBe('ratelimited');
    expect(posts[1]?.response.ok).toBe(true);
    const first = h.fake.channelMessages(CHANNEL).at(-1);
    expect(first?.text).toBe('Digest part 0');
    expect(h.fake.thread(CHANNEL, first?.ts as string).length).toBeGreaterThan(0);
    expect(h.adapter.poster.platform).toBe('slack');
  });
});

describe('configuration', () => {
  it('chooses Socket Mode by config and names the missing settings', async () => {
    const core = new RecordingCore();
    const { logger } = recordingLogger();
    const socket = loadConfig({
      document: { slack: { mode: 'socket' } },
      env: { SLACK_BOT_TOKEN: FAKE_BOT_TOKEN, SLACK_APP_TOKEN: 'xapp-1-A0-1-abc' },
    });
    const adapter = createSlackAdapter({ config: socket, core, logger });
    expect(adapter.receiver).toBeInstanceOf(SocketDeliveryReceiver);
    expect(adapter.expressApp).toBeUndefined();
    expect(() =>
      createSlackAdapter({
        config: loadConfig({
          document: { slack: { mode: 'socket' } },
          env: { SLACK_BOT_TOKEN: FAKE_BOT_TOKEN },
        }),
        core,
        logger,
      }),
    ).toThrow(/SLACK_APP_TOKEN/);
    expect(() =>
      createSlackAdapter({
        config: loadConfig({ document: {}, env: { SLACK_BOT_TOKEN: FAKE_BOT_TOKEN } }),
        core,
        logger,
      }),
    ).toThrow(/SLACK_SIGNING_SECRET/);
    expect(() => createSlackAdapter({ config: loadConfig({ document: {}, env: {} }), core, logger })).toThrow(
      /SLACK_BOT_TOKEN/,
    );
  });

  it('fails start-up clearly when Slack refuses the bot token', async () => {
    const fake = await FakeSlackApi.start({ botToken: 'xoxb-some-other-token' });
    const { logger } = recordingLogger();
    const adapter = createSlackAdapter({
      config: slackConfig(fake.apiUrl),
      core: new RecordingCore(),
      logger,
    });
    await expect(adapter.start({ port: 0, host: '127.0.0.1' })).rejects.toThrow(
      /refused SLACK_BOT_TOKEN \(invalid_auth\)/,
    );
    await fake.close();
  });
});
