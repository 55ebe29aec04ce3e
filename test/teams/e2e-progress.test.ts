/**
 * `cis 4 audit` in a Teams channel, end to end: the whole section over the seven demo accounts, one at a
 * time with AWS latency (the bot shows progress at once here): one progress card posted in the thread
 * and updated as accounts complete, then replaced by the summary, the worst accounts and every row
 * following as replies.
 */
import { bundledScenario, startSandboxRun } from '../../src/sandbox-run';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector';
import { channelMention, MEGAN } from './activities';
import { cardOf, type E2eBot, plainOf, startE2eBot } from './e2e-helpers';

let connector: FakeBotConnector;
let e: E2eBot;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  const run = await startSandboxRun(bundledScenario('audit-demo'), { roleAccounts: [], latencyMs: 40 });
  e = await startE2eBot({
    run,
    document: (r) => ({ aws: { accounts: r.otherAccounts, region: r.defaultRegion, concurrency: 1 } }),
    env: { CIS_BOT_TEAMS_DEV_NO_AUTH: 'true' },
    progressAfterMs: 0,
  });
});

afterAll(async () => {
  await e?.close();
  await e?.run.close();
  await connector?.close();
});

test('a long audit shows one progress card, updated, then replaced by the result', async () => {
  const mark = connector.calls.length;
  const msg = channelMention(connector.serviceUrl, '4 audit', MEGAN);
  expect((await e.post(msg)).status).toBe(200);
  await e.bot.teams?.idle();
  const calls = connector.calls.slice(mark).filter((c) => c.activity?.type === 'message');
  const [progress] = calls;
  expect(progress).toMatchObject({ kind: 'reply', activityId: msg.id });
  expect(progress?.activity.summary).toBe('Auditing 7 accounts…');
  const updates = calls.filter((c) => c.kind === 'update');
  expect(updates.every((u) => u.activityId === progress?.id)).toBe(true);
  const texts = updates.map((u) => u.activity.summary as string);
  expect(texts.length).toBeGreaterThan(1);
  expect(texts.slice(0, -1).every((t) => /^Auditing 7 accounts: \d done/.test(t))).toBe(true);
  expect(texts.at(-1)).toMatch(/^CIS 4 \(16 controls\) audit: 0 of 7 accounts compliant on every control/);
  expect(plainOf(cardOf(updates.at(-1)))).toContain('Broken links (account x control)');
  const replies = calls.filter((c) => c.kind === 'reply').slice(1);
  expect(replies.map((r) => r.activity.summary as string).join('\n')).toContain('one row of statuses each');
});
