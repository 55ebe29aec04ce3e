/**
 * README's configuration example starts as pasted: its YAML block, written to a file, goes through the
 * real configuration loader and the real bot start (Slack configured as README's set-up says, against the
 * fake Slack Web API). And a configuration mistake is reported before any network call: with Slack's API
 * unreachable, a schedule that targets Teams (not configured) is named, not "fetch failed".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/core/errors';
import { createCoreServices } from '../../src/runtime';
import { startBot } from '../../src/server';
import { openStore } from '../../src/store';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../support/fake-slack-api';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'cis-bot-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first ```yaml block after README's "## Configuration" heading. */
function readmeYaml(): string {
  const section = README.slice(README.indexOf('\n## Configuration\n'));
  const match = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README has no yaml block under "## Configuration"');
  return match[1];
}

function writeConfig(text: string): string {
  const path = join(dir, `cis-bot-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

async function start(path: string, slackApiUrl: string) {
  const config = loadConfig({
    path,
    env: {
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: 'readme-signing-secret',
      SLACK_API_URL: slackApiUrl,
      LOG_LEVEL: 'error',
    },
  });
  // No AWS call is made at start-up (timers off): the session only needs a region.
  const session = new AwsSession({ region: config.aws.region ?? 'eu-west-2' });
  const services = createCoreServices({ config, session, store: openStore(':memory:') });
  const release = async () => {
    session.destroy();
    await services.store.close();
  };
  try {
    const bot = await startBot(config, services, { port: 0, host: '127.0.0.1', startTimers: false });
    return { config, bot, release };
  } catch (error) {
    await release();
    throw error;
  }
}

test("README's configuration example loads and the bot starts on it", async () => {
  const slackApi = await FakeSlackApi.start();
  try {
    const { config, bot, release } = await start(writeConfig(readmeYaml()), slackApi.apiUrl);
    try {
      expect(config.aws.accounts).toEqual(['111122223333', '444455556666']);
      expect(config.schedules.map((s) => s.name)).toEqual(['morning']);
      expect(bot.slack?.workspace).toBeDefined();
    } finally {
      await bot.close();
      await release();
    }
  } finally {
    await slackApi.close();
  }
});

test('a schedule targeting a platform that is not configured is named before any network call', async () => {
  const withTeams = readmeYaml().replace(
    'targets: { slack: [C0123SECOPS] }',
    'targets: { slack: [C0123SECOPS], teams: ["19:abc@thread.tacv2"] }',
  );
  expect(withTeams).not.toBe(readmeYaml());
  // Nothing listens on port 9: Slack's auth.test would fail with "fetch failed".
  const error = await start(writeConfig(withTeams), 'http://127.0.0.1:9/api/').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toMatch(/schedules\[0\] "morning": targets .*Teams is not configured/);
});
