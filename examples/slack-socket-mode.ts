/**
 * Socket Mode, running: cis-bot connects OUT to Slack over a WebSocket (no public URL, no inbound HTTP
 * for Slack) and answers `/cis 4.1 audit`. Slack's side is the loopback fake the tests use
 * (test/support/fake-slack-socket.ts: apps.connections.open, hello, envelopes, acks), AWS is the bundled
 * sandbox, so it runs anywhere without credentials:
 *
 *   npm run example:slack-socket
 *
 * Against real Slack, the same configuration is all it takes (README, "Slack: Socket Mode"):
 *
 *   slack: { mode: socket }                         # cis-bot.yaml
 *   SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-…   # environment (SLACK_API_URL only for GovSlack/gateways)
 */
import { loadConfig } from '../src/config/load';
import { createCoreServices } from '../src/runtime';
import { bundledScenario, startSandboxRun } from '../src/sandbox-run';
import { startBot } from '../src/server';
import { openStore } from '../src/store';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../test/support/fake-slack-api';
import { FAKE_APP_TOKEN, FakeSlackSocket } from '../test/support/fake-slack-socket';

/** Runs the example; returns what it printed (the test checks it). */
export async function runSocketModeExample(print: (line: string) => void = console.log): Promise<string[]> {
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    print(line);
  };
  const aws = await startSandboxRun(bundledScenario('audit-demo'), { roleAccounts: [] });
  const socket = await FakeSlackSocket.start();
  const slack = await FakeSlackApi.start({ methods: socket.methods });
  const config = loadConfig({
    document: { slack: { mode: 'socket' }, aws: { accounts: aws.otherAccounts, region: aws.defaultRegion } },
    env: {
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_APP_TOKEN: FAKE_APP_TOKEN,
      SLACK_API_URL: slack.apiUrl,
      LOG_LEVEL: 'error',
    },
  });
  const services = createCoreServices({
    config,
    session: aws.session,
    region: aws.defaultRegion,
    labels: aws.labels,
    store: openStore(':memory:'),
  });
  const bot = await startBot(config, services, { startTimers: false });
  try {
    say(
      `cis-bot connected to Slack over a WebSocket (connections: ${socket.connections}, HTTP server: ${bot.server ? 'yes' : 'none'})`,
    );
    const envelope = socket.send('slash_commands', {
      command: '/cis',
      text: '4.1 audit --account 333333333333',
      team_id: 'T0FAKE001',
      channel_id: 'C0SECOPS01',
      user_id: 'U0ALICE001',
      user_name: 'alice',
      response_url: slack.responseUrl(),
      trigger_id: `${Date.now()}.example`,
    });
    await socket.waitForAck(envelope);
    say(`Slack received the ack of /cis 4.1 audit (envelope ${envelope.envelopeId})`);
    await bot.slack?.idle();
    const result = slack.channelMessages('C0SECOPS01').at(-1);
    say(`Posted in #sec-ops: ${result?.text ?? '(nothing)'}`);
  } finally {
    await bot.close();
    await socket.close();
    await slack.close();
    await aws.close();
  }
  return lines;
}

if (require.main === module) {
  runSocketModeExample().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
