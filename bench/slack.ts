/**
 * Benchmark: slash-command ack latency. 50 signed `/cis 4.1 audit` requests arrive at once over loopback;
 * the core behind the adapter does real AWS SDK calls against the sandbox with latency injected, so the
 * work takes seconds while the acks must not wait for it. Prints ack p50/p99 and when the work finished.
 * Run alone with `npx tsx bench/slack.ts`; `npm run bench` calls `benchSlackAck()`.
 */
import { createHmac } from 'node:crypto';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createJsonLogger } from '../adapters/slack/log';
import { createSlackAdapter } from '../adapters/slack/slack-adapter';
import { loadConfig } from '../src/config/load';
import type { Card } from '../src/core/cards';
import type { ChatCore } from '../src/core/chat-core';
import { loadScenario, startSandbox } from '../src/sandbox';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../test/support/fake-slack-api';

const SECRET = 'bench-signing-secret';
const ACCOUNT = '111122223333';

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] as number;
}

export interface SlackAckResult {
  commands: number;
  awsLatencyMs: number;
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  allWorkDoneMs: number;
}

export async function benchSlackAck(
  options: { commands?: number; awsLatencyMs?: number } = {},
): Promise<SlackAckResult> {
  const commands = options.commands ?? 50;
  const awsLatencyMs = options.awsLatencyMs ?? 500;
  const sandbox = await startSandbox({
    scenario: loadScenario('src/sandbox/scenarios/demo.yaml'),
    latencyMs: awsLatencyMs,
  });
  const fake = await FakeSlackApi.start();
  const sts = new STSClient({
    endpoint: sandbox.endpoint,
    region: 'eu-west-2',
    credentials: sandbox.credentialsFor(ACCOUNT),
    maxAttempts: 1,
  });
  // Stands in for the audit: the ack must not wait for these calls.
  const core: ChatCore = {
    async run(): Promise<Card[]> {
      for (let i = 0; i < 3; i++) await sts.send(new GetCallerIdentityCommand({}));
      return [{ summary: '4.1 audited', elements: [{ type: 'text', text: 'done' }] }];
    },
    async click() {
      return { kind: 'refused', message: 'not in this benchmark' };
    },
    levelFor: () => 'info',
  };
  const config = loadConfig({
    document: {},
    env: {
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      LOG_LEVEL: 'error',
    },
  });
  const adapter = createSlackAdapter({
    config,
    core,
    logger: createJsonLogger({ level: 'error', write: () => {} }),
  });
  await adapter.start({ port: 0, host: '127.0.0.1' });
  const address = adapter.server?.address();
  if (!address || typeof address === 'string') throw new Error('the adapter is not listening');
  const url = `http://127.0.0.1:${address.port}/slack/events`;

  const send = async (i: number): Promise<number> => {
    const body = new URLSearchParams({
      token: 'x',
      team_id: 'T0FAKE001',
      team_domain: 'bench',
      channel_id: 'C0BENCH001',
      channel_name: 'bench',
      user_id: `U0BENCH${String(i).padStart(3, '0')}`,
      user_name: `user${i}`,
      command: '/cis',
      text: '4.1 audit',
      api_app_id: 'A0BENCH001',
      response_url: fake.responseUrl(),
      trigger_id: `${i}.1.abc`,
    }).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
      },
      body,
    });
    await res.text();
    if (res.status !== 200) throw new Error(`command ${i} answered ${res.status}`);
    return performance.now() - t0;
  };
  // Warm-up: the first commands load code paths (SDK, Bolt) once; the measurement is the steady state.
  await Promise.all([send(1000), send(1001), send(1002)]);
  await adapter.idle();

  const started = performance.now();
  const acks = await Promise.all(Array.from({ length: commands }, (_, i) => send(i)));
  await adapter.idle();
  const allWorkDoneMs = performance.now() - started;
  await adapter.stop();
  sts.destroy();
  await fake.close();
  await sandbox.close();

  const sorted = [...acks].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  const result: SlackAckResult = {
    commands,
    awsLatencyMs,
    ackP50Ms: round(percentile(sorted, 50)),
    ackP99Ms: round(percentile(sorted, 99)),
    ackMaxMs: round(sorted.at(-1) ?? 0),
    allWorkDoneMs: Math.round(allWorkDoneMs),
  };
  console.log(
    `slack ack: ${commands} concurrent /cis commands, AWS latency ${awsLatencyMs} ms/call: ack p50 ${result.ackP50Ms} ms, p99 ${result.ackP99Ms} ms (max ${result.ackMaxMs} ms); all work done after ${result.allWorkDoneMs} ms`,
  );
  return result;
}

if (require.main === module) {
  benchSlackAck().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
