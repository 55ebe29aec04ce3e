/**
 * What a signed request must also satisfy before it reaches the core, over the real Bolt receiver and the
 * loopback fake Slack API: the canonical header forms only (Bolt alone accepts `0<ts>`, `<ts>.0`,
 * `v0=<hex>=x`), a timestamp within five minutes either way, a signature never seen before by any replica
 * sharing the store (or before a restart), a channel in slack.allowed_channels for clicks as for commands,
 * and a user from the workspace the bot is installed in (not a Slack Connect guest).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack-adapter';
import { isFromWorkspace, type Workspace } from '../../adapters/slack/workspace';
import { ACTION_APPROVE } from '../../src/core/ports/chat';
import { openStore, type SqliteStore } from '../../src/store';
import { tempDir } from '../store/helpers';
import { FAKE_TEAM_ID, FakeSlackApi } from '../support/fake-slack-api';
import {
  blockActionsBody,
  nowSeconds,
  postSigned,
  RecordingCore,
  recordingLogger,
  sign,
  slackConfig,
  slashCommandBody,
} from './helpers';

const CHANNEL = 'C0SECOPS01';
const OTHER_TEAM = 'T0GUEST0001';

interface Harness {
  fake: FakeSlackApi;
  core: RecordingCore;
  adapter: SlackAdapter;
  url: string;
  log: ReturnType<typeof recordingLogger>;
}

const cleanups: Array<() => Promise<void>> = [];
const tmp = tempDir('cis-bot-slack-');

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  tmp.remove();
});

async function harness(
  options: { document?: Record<string, unknown>; store?: SqliteStore; fake?: FakeSlackApi } = {},
): Promise<Harness> {
  const fake = options.fake ?? (await FakeSlackApi.start());
  const core = new RecordingCore();
  const log = recordingLogger();
  const adapter = createSlackAdapter({
    config: slackConfig(fake.apiUrl, options.document ?? {}),
    core,
    logger: log.logger,
    ...(options.store ? { store: options.store } : {}),
  });
  await adapter.start({ port: 0, host: '127.0.0.1' });
  const address = adapter.server?.address() as AddressInfo;
  cleanups.push(async () => {
    await adapter.stop();
    if (!options.fake) await fake.close();
  });
  return { fake, core, adapter, url: `http://127.0.0.1:${address.port}/slack/events`, log };
}

/** POSTs with the exact header texts given (postSigned always writes the canonical forms). */
async function postRaw(url: string, body: string, timestamp: string, signature: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    body,
  });
  await response.text();
  return response.status;
}

describe('request guard: canonical headers only, within the window, once', () => {
  it('refuses replays whose headers Bolt reads as the original (0<ts>, <ts>.0, <ts>e0, v0=<hex>=x)', async () => {
    const { fake, core, adapter, url } = await harness();
    const body = slashCommandBody({ text: '4.1 remediate', response_url: fake.responseUrl() });
    const ts = nowSeconds();
    const signature = sign(body, ts);
    expect(await postRaw(url, body, String(ts), signature)).toBe(200);
    const replays = [
      [String(ts), signature],
      [`0${ts}`, signature],
      [`${ts}.0`, signature],
      [`${ts}e0`, signature],
      [` ${ts}`, signature],
      [String(ts), `${signature}=x`],
    ] as const;
    const statuses = [];
    for (const [timestamp, sig] of replays) statuses.push(await postRaw(url, body, timestamp, sig));
    expect(statuses).toEqual(replays.map(() => 401));
    await adapter.idle();
    expect(core.runs).toHaveLength(1);
  });

  it('refuses a request signed for the future in every header form Bolt accepts', async () => {
    const { fake, core, adapter, url, log } = await harness();
    const body = slashCommandBody({ text: '4.1 remediate', response_url: fake.responseUrl() });
    const future = nowSeconds() + 3600;
    const signature = sign(body, future);
    const forms = [String(future), ` ${future}`, `${future}.0`, `0${future}`, `${future}e0`];
    const statuses = [];
    for (const timestamp of forms) statuses.push(await postRaw(url, body, timestamp, signature));
    expect(statuses).toEqual(forms.map(() => 401));
    // Six minutes ahead: beyond the window; four minutes ahead (clock skew): accepted.
    expect(await postRaw(url, body, String(nowSeconds() + 360), sign(body, nowSeconds() + 360))).toBe(401);
    const near = nowSeconds() + 240;
    expect(await postRaw(url, body, String(near), sign(body, near))).toBe(200);
    await adapter.idle();
    expect(core.runs).toHaveLength(1);
    expect(log.lines.some((l) => l.includes('timestamp outside the five-minute window'))).toBe(true);
  });

  it('refuses malformed or missing headers before Bolt sees them', async () => {
    const { fake, core, adapter, url } = await harness();
    const body = slashCommandBody({ text: '4.1 audit', response_url: fake.responseUrl() });
    const ts = nowSeconds();
    const statuses = [
      await postRaw(url, body, '', sign(body, ts)),
      await postRaw(url, body, `${ts}0`, sign(body, Number(`${ts}0`))),
      await postRaw(url, body, String(ts), ''),
      await postRaw(url, body, String(ts), sign(body, ts).replace('v0=', 'v1=')),
      await postRaw(url, body, String(ts), sign(body, ts).slice(0, -1)),
      (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        })
      ).status,
    ];
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    await adapter.idle();
    expect(core.runs).toEqual([]);
  });
});

describe('replay protection shared through the store', () => {
  it('refuses a replay sent to a second replica over the same database file, and after a restart', async () => {
    const db = tmp.file('replicas.db');
    const fake = await FakeSlackApi.start();
    cleanups.push(() => fake.close());
    const storeA = openStore(db);
    const storeB = openStore(db);
    cleanups.push(async () => {
      await storeA.close();
      await storeB.close();
    });
    const a = await harness({ store: storeA, fake });
    const b = await harness({ store: storeB, fake });
    const body = slashCommandBody({ text: '4.1 remediate', response_url: fake.responseUrl() });
    const timestamp = nowSeconds();
    expect((await postSigned(a.url, { body, timestamp })).status).toBe(200);
    expect((await postSigned(b.url, { body, timestamp })).status).toBe(401);
    await a.adapter.idle();
    await b.adapter.idle();
    expect(a.core.runs).toHaveLength(1);
    expect(b.core.runs).toEqual([]);
    expect(b.log.lines.some((l) => l.includes('replayed request'))).toBe(true);

    // A restart: a new process opens the file afresh.
    const storeC = openStore(db);
    cleanups.push(() => storeC.close());
    const c = await harness({ store: storeC, fake });
    expect((await postSigned(c.url, { body, timestamp })).status).toBe(401);
    // A new request (another timestamp) still goes through.
    expect((await postSigned(c.url, { body, timestamp: timestamp + 1 })).status).toBe(200);
    await c.adapter.idle();
    expect(c.core.runs).toHaveLength(1);
  });

  it('fails closed, saying "database unavailable" with a logged reference, when the store cannot remember the request', async () => {
    const store = openStore(tmp.file('closed.db'));
    const { fake, core, adapter, url, log } = await harness({ store });
    await store.close();
    // A command: the refusal is the ack's ephemeral answer, which Slack shows at once.
    const res = await postSigned(url, {
      body: slashCommandBody({ text: '4.1 audit', response_url: fake.responseUrl() }),
    });
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.text) as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    const ref = /^Database unavailable, reference ([0-9a-f]{8}):/.exec(answer.text)?.[1];
    expect(ref).toBeDefined();
    expect(log.lines.some((l) => l.includes('replay_check_failed') && l.includes(ref as string))).toBe(true);
    // A click: acknowledged, and the refusal goes to the clicker through the click's response_url.
    const click = await postSigned(url, {
      body: blockActionsBody({
        actionId: ACTION_APPROVE,
        value: 'apr-1',
        response_url: fake.responseUrl(),
        messageTs: '1700000000.000100',
      }),
    });
    expect(click.status).toBe(200);
    while (fake.callsTo('response_url').length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(fake.callsTo('response_url')[0]?.args).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
      text: expect.stringMatching(/^Database unavailable, reference [0-9a-f]{8}:/),
    });
    await adapter.idle();
    expect(core.runs).toEqual([]);
    expect(core.clicks).toEqual([]);
  });
});

describe('who may click and where', () => {
  async function postPlan(h: Harness, channel = CHANNEL): Promise<string> {
    const posted = await h.adapter.client.chat.postMessage({
      channel,
      text: 'Plan',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Plan' } }],
    });
    return posted.ts as string;
  }

  function click(h: Harness, ts: string, extra: Partial<Parameters<typeof blockActionsBody>[0]> = {}) {
    return postSigned(h.url, {
      body: blockActionsBody({
        actionId: ACTION_APPROVE,
        value: 'apr-1',
        response_url: h.fake.responseUrl(),
        messageTs: ts,
        ...extra,
      }),
    });
  }

  it('refuses a click in a channel outside slack.allowed_channels, to the clicker only', async () => {
    const h = await harness({ document: { slack: { allowed_channels: ['C0ALLOWED1'] } } });
    h.core.onClick = async () => ({ kind: 'reply', cards: [] });
    const outside = await postPlan(h, CHANNEL);
    const inside = await postPlan(h, 'C0ALLOWED1');
    expect((await click(h, outside)).status).toBe(200);
    await h.adapter.idle();
    expect(h.core.clicks).toEqual([]);
    expect(h.fake.ephemerals).toHaveLength(1);
    expect(h.fake.ephemerals[0]).toMatchObject({ channel: CHANNEL, user: 'U0BOB00001' });
    expect(h.fake.ephemerals[0]?.text).toContain('does not take button clicks in this channel');
    expect(h.fake.ephemerals[0]?.text).toContain('<#C0ALLOWED1>');
    expect(h.fake.message(CHANNEL, outside)?.updates).toBe(0);

    await click(h, inside, { channelId: 'C0ALLOWED1' });
    await h.adapter.idle();
    expect(h.core.clicks.map((c) => c.ctx.conversation.id)).toEqual(['C0ALLOWED1']);
  });

  it('refuses a Slack Connect guest from another workspace (user.team_id or team.id not ours)', async () => {
    const h = await harness();
    h.core.onClick = async () => ({ kind: 'reply', cards: [] });
    const ts = await postPlan(h);
    expect(h.adapter.workspace).toEqual({ teamId: FAKE_TEAM_ID, enterpriseInstall: false });
    await click(h, ts, { userId: 'U0GUEST001', userName: 'mallory', userTeamId: OTHER_TEAM });
    await click(h, ts, { userId: 'U0GUEST001', userName: 'mallory', teamId: OTHER_TEAM });
    await h.adapter.idle();
    expect(h.core.clicks).toEqual([]);
    expect(h.fake.ephemerals.map((e) => [e.user, e.text])).toEqual([
      [
        'U0GUEST001',
        'cis-bot takes commands and button clicks only from members of the workspace it is installed in.',
      ],
      [
        'U0GUEST001',
        'cis-bot takes commands and button clicks only from members of the workspace it is installed in.',
      ],
    ]);
    expect(h.fake.message(CHANNEL, ts)?.updates).toBe(0);
    // Both refusals are handed to the core for the audit log, with the foreign workspace.
    expect(h.core.refusals).toEqual([
      {
        actor: { platform: 'slack', userId: 'U0GUEST001' },
        conversation: { platform: 'slack', id: CHANNEL },
        reason: 'other-workspace',
        request: ACTION_APPROVE,
        detail: { team: FAKE_TEAM_ID, userTeam: OTHER_TEAM, enterprise: null },
      },
      {
        actor: { platform: 'slack', userId: 'U0GUEST001' },
        conversation: { platform: 'slack', id: CHANNEL },
        reason: 'other-workspace',
        request: ACTION_APPROVE,
        detail: { team: OTHER_TEAM, userTeam: FAKE_TEAM_ID, enterprise: null },
      },
    ]);

    await click(h, ts);
    await h.adapter.idle();
    expect(h.core.clicks.map((c) => c.ctx.actor.userId)).toEqual(['U0BOB00001']);
    expect(h.core.refusals).toHaveLength(2);
  });

  it('refuses a command from another workspace, ephemerally, without parsing or running it', async () => {
    const h = await harness();
    const res = await postSigned(h.url, {
      body: slashCommandBody({
        text: '4.1 remediate',
        response_url: h.fake.responseUrl(),
        team_id: OTHER_TEAM,
      }),
    });
    expect(res.status).toBe(200);
    await h.adapter.idle();
    expect(h.core.runs).toEqual([]);
    const responses = h.fake.callsTo('response_url');
    expect(responses.map((r) => r.args)).toMatchObject([
      {
        response_type: 'ephemeral',
        text: 'cis-bot takes commands and button clicks only from members of the workspace it is installed in.',
      },
    ]);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(h.core.refusals).toEqual([
      {
        actor: { platform: 'slack', userId: 'U0ALICE001' },
        conversation: { platform: 'slack', id: CHANNEL },
        reason: 'other-workspace',
        request: '/cis',
        detail: { team: OTHER_TEAM, enterprise: null },
      },
    ]);
  });

  it('runs nothing until init() has learnt the workspace', async () => {
    const fake = await FakeSlackApi.start();
    const core = new RecordingCore();
    const adapter = createSlackAdapter({
      config: slackConfig(fake.apiUrl),
      core,
      logger: recordingLogger().logger,
    });
    const server: Server = await new Promise((resolve) => {
      const s = adapter.expressApp?.listen(0, '127.0.0.1', () => resolve(s as Server));
    });
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await adapter.idle();
      await fake.close();
    });
    const { port } = server.address() as AddressInfo;
    const res = await postSigned(`http://127.0.0.1:${port}/slack/events`, {
      body: slashCommandBody({ text: '4.1 audit', response_url: fake.responseUrl() }),
    });
    expect(res.status).toBe(200);
    await adapter.idle();
    expect(adapter.workspace).toBeUndefined();
    expect(core.runs).toEqual([]);
  });
});

describe('isFromWorkspace', () => {
  const single: Workspace = { teamId: 'T1', enterpriseInstall: false };
  const onGrid: Workspace = { teamId: 'T1', enterpriseId: 'E1', enterpriseInstall: false };
  const orgWide: Workspace = { teamId: '', enterpriseId: 'E1', enterpriseInstall: true };

  it.each([
    ['our workspace', single, { teamId: 'T1', userTeamId: 'T1' }, true],
    ['command from our workspace', single, { teamId: 'T1' }, true],
    ['user only, ours', single, { userTeamId: 'T1' }, true],
    ['nothing said', single, {}, false],
    ['guest user', single, { teamId: 'T1', userTeamId: 'T2' }, false],
    ['other workspace', single, { teamId: 'T2', userTeamId: 'T1' }, false],
    ['unexpected organisation', single, { teamId: 'T1', enterpriseId: 'E9' }, false],
    [
      'grid user (user.team_id is the org)',
      onGrid,
      { teamId: 'T1', userTeamId: 'E1', enterpriseId: 'E1' },
      true,
    ],
    ['grid org id without our workspace', onGrid, { userTeamId: 'E1' }, false],
    [
      'grid, other workspace of the org',
      onGrid,
      { teamId: 'T2', userTeamId: 'E1', enterpriseId: 'E1' },
      false,
    ],
    [
      'org-wide install, any workspace of the org',
      orgWide,
      { teamId: 'T7', userTeamId: 'E1', enterpriseId: 'E1' },
      true,
    ],
    ['org-wide install, other org', orgWide, { teamId: 'T7', userTeamId: 'E2', enterpriseId: 'E2' }, false],
    [
      'org-wide install, external guest',
      orgWide,
      { teamId: 'T7', userTeamId: 'T8', enterpriseId: 'E1' },
      false,
    ],
    ['org-wide install, no org named', orgWide, { teamId: 'T7' }, false],
  ])('%s', (_name, workspace, origin, expected) => {
    expect(isFromWorkspace(workspace, origin)).toBe(expected);
  });

  it('refuses everything while the workspace is unknown', () => {
    expect(isFromWorkspace(undefined, { teamId: 'T1', userTeamId: 'T1' })).toBe(false);
  });
});
