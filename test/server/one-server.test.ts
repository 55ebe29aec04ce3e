/**
 * One server for both platforms: startBot serves Slack (/slack/events, signed requests verified by Bolt)
 * and Teams (/api/messages, JSON) from ONE Express app on ONE port, plus /healthz, with the real core
 * over the AWS sandbox. A signed Slack slash command and a Teams message each run a real audit, and
 * their answers reach the fake Slack Web API and the fake Bot Connector. This also proves the
 * express.json() of the Teams route does not consume the raw body Slack's signature check needs.
 */

import { loadConfig } from '../../src/config/load';
import { type CoreServices, createCoreServices } from '../../src/runtime';
import { bundledScenario, type SandboxRun, startSandboxRun } from '../../src/sandbox-run';
import { type BotServer, startBot } from '../../src/server';
import { openStore } from '../../src/store';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../slack/helpers';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../support/fake-slack-api';
import { personalMessage } from '../teams/activities';

// botbuilder honours HTTP(S)_PROXY; loopback traffic must not go through one.
process.env.NO_PROXY = '127.0.0.1,localhost';

const DEV = '333333333333';
const SLACK_CHANNEL = 'C0SECOPS01';

let run: SandboxRun;
let slackApi: FakeSlackApi;
let connector: FakeBotConnector;
let services: CoreServices;
let bot: BotServer;
let base = '';

beforeAll(async () => {
  run = await startSandboxRun(bundledScenario('audit-demo'), { roleAccounts: [] });
  slackApi = await FakeSlackApi.start();
  connector = await startFakeBotConnector();
  const config = loadConfig({
    document: { aws: { accounts: run.otherAccounts, region: run.defaultRegion } },
    env: {
      PORT: '0',
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slackApi.apiUrl,
      CIS_BOT_TEAMS_DEV_NO_AUTH: 'true',
    },
  });
  services = createCoreServices({
    config,
    session: run.session,
    labels: run.labels,
    region: run.defaultRegion,
    store: openStore(':memory:'),
  });
  bot = await startBot(config, services, { port: 0, host: '127.0.0.1', startTimers: false });
  base = `http://127.0.0.1:${bot.port}`;
});

afterAll(async () => {
  await bot?.close();
  await slackApi?.close();
  await connector?.close();
  await run?.close();
});

test('both adapters and the health check are on the one port', async () => {
  expect(bot.server).toBeDefined();
  expect(bot.slack).toBeDefined();
  expect(bot.teams).toBeDefined();
  const health = await fetch(`${base}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({
    ok: true,
    checks: { database: { ok: true }, slack: { ok: true }, teams: { ok: true } },
  });
  const live = await fetch(`${base}/livez`);
  expect(live.status).toBe(200);
  expect(await live.json()).toEqual({ ok: true });
});

test('a signed Slack slash command and a Teams message are both served by the same server', async () => {
  run.sandbox.resetCalls();
  const slack = await postSigned(`${base}/slack/events`, {
    body: slashCommandBody({
      text: `4.1 audit --account ${DEV}`,
      response_url: slackApi.responseUrl(),
      channel_id: SLACK_CHANNEL,
    }),
  });
  expect(slack.status).toBe(200);

  const teamsMessage = personalMessage(connector.serviceUrl, `cis 4.1 audit --account ${DEV}`);
  const teams = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(teamsMessage),
  });
  expect(teams.status).toBe(200);

  await bot.slack?.idle();
  await bot.teams?.idle();

  // Slack: the answer replaced the "running" message in the channel.
  const updates = slackApi.callsTo('chat.update');
  expect(updates.length).toBeGreaterThanOrEqual(1);
  expect(String(updates.at(-1)?.args.text)).toMatch(/CIS 4\.1 audit: 0 of 1 account/);
  // Teams: the cards came back as replies to the message, through the Bot Connector.
  const replies = connector.messages().filter((c) => c.activity?.type === 'message');
  expect(replies.length).toBeGreaterThanOrEqual(1);
  expect(replies[0]).toMatchObject({ kind: 'reply', activityId: teamsMessage.id });
  expect(replies[0]?.activity.summary).toMatch(/CIS 4\.1 audit: 0 of 1 account/);

  // Both reached the one core: two audits recorded, one per platform, each of the dev account.
  const audits = (await services.store.listAuditLog({ limit: 10 })).filter((e) => e.kind === 'audit');
  expect(audits.map((e) => e.actor?.platform).sort()).toEqual(['slack', 'teams']);
  expect(run.sandbox.calls.some((c) => c.accountId === DEV)).toBe(true);
});

test('a Slack request with a bad signature is refused; Teams is not affected', async () => {
  const before = (await services.store.listAuditLog({ limit: 50 })).length;
  const res = await postSigned(`${base}/slack/events`, {
    body: slashCommandBody({ text: '4.1 audit', response_url: slackApi.responseUrl() }),
    secret: 'not-the-signing-secret',
  });
  expect(res.status).toBe(401);
  const teams = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(personalMessage(connector.serviceUrl, 'cis help')),
  });
  expect(teams.status).toBe(200);
  await bot.slack?.idle();
  await bot.teams?.idle();
  expect((await services.store.listAuditLog({ limit: 50 })).length).toBe(before);
});
