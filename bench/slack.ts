/**
 * Benchmark: slash-command ack latency with the real bot. The bot server (startBot: Express, Bolt's
 * ExpressReceiver) runs the real core (createCoreServices: auditor, store, approvals, chat core) over the
 * AWS sandbox with per-call latency injected (the bundled audit-demo scenario: seven member accounts, each
 * reached through AssumeRole). 50 signed `/cis 4.1 audit` requests arrive at once over loopback (sent from
 * a worker thread, as from another machine); each
 * audit takes seconds of AWS calls, the acks must not wait for them. Prints ack p50/p99/max and when
 * all the work (audits, Slack posts) had finished, with the machine's load average and the bot's CPU time
 * during the acks (the acks of a burst are served one after the other on one event loop, so on a busy
 * machine they take longer: compare figures taken back to back under the same load).
 * The store is a parameter (default: an in-memory SQLite database): bench/store-ack.ts runs the same
 * measurement on an SQLite file and on PostgreSQL.
 * Run alone with `npx tsx bench/slack.ts`; `npm run bench` calls `benchSlackAck()`.
 */
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config/load';
import type { Store } from '../src/core/ports/store';
import { createCoreServices } from '../src/runtime';
import { bundledScenario, startSandboxRun } from '../src/sandbox-run';
import { startBot } from '../src/server';
import { openStore } from '../src/store';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../test/support/fake-slack-api';

const SECRET = 'bench-signing-secret';

export function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] as number;
}

/** The fields of bench user `i`'s `/cis 4.1 audit` (the HTTP form, or a Socket Mode payload). */
export function benchCommand(i: number, responseUrl: string, triggerId: string): Record<string, string> {
  return {
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
    response_url: responseUrl,
    trigger_id: triggerId,
  };
}

/** The store the bot runs on: a name for the printed line, and how to open it (the bot closes it). */
export interface BenchStore {
  name: string;
  open(): Promise<Store>;
}

/**
 * Earlier figures of this bench, printed beside the new ones (`npm run bench` shows before and after).
 * The machine is shared: each pair was measured back to back, under the load it names.
 */
export const SLACK_ACK_HISTORY = {
  memory: [
    'slack ack before issue 16 (same bench, SQLite in memory): p50 166 ms, p99 291 ms (issue 16); p50 133.8 ms, p99 238.6 ms (main before the first ack work); main b4d9229 on an idle machine: p50 55.2 ms, p99 70.7 ms',
    'slack ack before -> after the ack-first work (SQLite in memory), 4 pairs back to back at load 4.0-4.7 on 2 cores: p99 128.7 -> 81.0, 224.1 -> 87.9, 131.3 -> 110.1, 131.3 -> 100.2 ms (p50 76.4-122.3 -> 65.6-93.3 ms); target p99 < 100 ms',
  ],
  byStore: [
    'slack ack by store before (main b4d9229, idle machine): SQLite file p50 57.5 ms / p99 219.5 ms; PostgreSQL p50 73.3 ms / p99 127.3 ms',
    'slack ack by store before -> after, 3 pairs back to back: SQLite file p99 114.2 -> 88.2 ms (load 2.7 / 2.1), 215.2 -> 99.0 ms (1.7 / 3.5), 229.8 -> 104.9 ms (3.8 / 4.8); PostgreSQL p99 166.8 -> 59.6 ms (2.7 / 1.9), 196.9 -> 139.9 ms (1.7 / 3.8), 159.2 -> 66.3 ms (3.8 / 5.1)',
  ],
};

const IN_MEMORY_SQLITE: BenchStore = { name: 'SQLite in memory', open: async () => openStore(':memory:') };

interface SignedRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * Slack's side: the signed requests sent at once from a worker thread, which times each one until its
 * response (the ack). Slack is another machine: its HTTP client must not run on the bot's event loop,
 * where its own work would be counted as the bot's ack latency.
 */
function sendAll(requests: readonly SignedRequest[]): Promise<number[]> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
    Promise.all(workerData.map(async (r) => {
      const t0 = performance.now();
      const res = await fetch(r.url, { method: 'POST', headers: r.headers, body: r.body });
      await res.text();
      if (res.status !== 200) throw new Error('a command answered ' + res.status);
      return performance.now() - t0;
    })).then((ms) => parentPort.postMessage(ms), (e) => parentPort.postMessage({ error: String(e) }));`,
    { eval: true, workerData: requests },
  );
  return new Promise((resolve, reject) => {
    worker.once('message', (m: number[] | { error: string }) => {
      void worker.terminate();
      if ('error' in m) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}

export interface SlackAckResult {
  store: string;
  commands: number;
  awsLatencyMs: number;
  accountsPerAudit: number;
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  allWorkDoneMs: number;
  awsCalls: number;
  slackCalls: number;
  /** The machine's 1-minute load average when the acks were measured, and its cores. */
  load1: number;
  cores: number;
  /** The bot's CPU time (user + system) while the 50 acks were outstanding, in ms. */
  cpuDuringAcksMs: number;
}

/** `load 2.31 on 2 cores`: printed beside every ack figure. */
export function loadNote(result: Pick<SlackAckResult, 'load1' | 'cores'>): string {
  return `load ${result.load1.toFixed(2)} on ${result.cores} cores`;
}

export async function benchSlackAck(
  options: { commands?: number; awsLatencyMs?: number; store?: BenchStore } = {},
): Promise<SlackAckResult> {
  const commands = options.commands ?? 50;
  const awsLatencyMs = options.awsLatencyMs ?? 250;
  const benchStore = options.store ?? IN_MEMORY_SQLITE;
  const run = await startSandboxRun(bundledScenario('audit-demo'), {
    roleAccounts: [],
    latencyMs: awsLatencyMs,
  });
  const fake = await FakeSlackApi.start();
  const config = loadConfig({
    document: { aws: { accounts: run.otherAccounts, region: run.defaultRegion } },
    env: {
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      LOG_LEVEL: 'error',
    },
  });
  const services = createCoreServices({
    config,
    session: run.session,
    region: run.defaultRegion,
    labels: run.labels,
    store: await benchStore.open(),
  });
  const bot = await startBot(config, services, { port: 0, host: '127.0.0.1', startTimers: false });
  if (!bot.server) throw new Error('the bot is not listening');
  const url = `http://127.0.0.1:${(bot.server.address() as AddressInfo).port}/slack/events`;

  const signed = (i: number): SignedRequest => {
    const body = new URLSearchParams(benchCommand(i, fake.responseUrl(), `${i}.1.abc`)).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    return {
      url,
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
      },
    };
  };
  // Warm-up: the first commands load code paths (SDK, Bolt, the store) and assume the roles once; the
  // measurement is the steady state.
  await sendAll([signed(1000), signed(1001), signed(1002)]);
  await bot.slack?.idle();

  run.sandbox.resetCalls();
  const slackCallsBefore = fake.calls.length;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const acks = await sendAll(Array.from({ length: commands }, (_, i) => signed(i)));
  const cpu = process.cpuUsage(cpuBefore);
  const load1 = loadavg()[0] ?? 0;
  await bot.slack?.idle();
  const allWorkDoneMs = performance.now() - started;
  const awsCalls = run.sandbox.calls.length;
  const slackCalls = fake.calls.length - slackCallsBefore;
  const refused = fake.calls.filter((c) => c.response.ok !== true).length;
  await bot.close();
  await fake.close();
  await run.close();
  if (refused > 0) throw new Error(`the fake Slack API refused ${refused} call(s)`);

  const sorted = [...acks].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  const result: SlackAckResult = {
    store: benchStore.name,
    commands,
    awsLatencyMs,
    accountsPerAudit: run.otherAccounts.length,
    ackP50Ms: round(percentile(sorted, 50)),
    ackP99Ms: round(percentile(sorted, 99)),
    ackMaxMs: round(sorted.at(-1) ?? 0),
    allWorkDoneMs: Math.round(allWorkDoneMs),
    awsCalls,
    slackCalls,
    load1,
    cores: availableParallelism(),
    cpuDuringAcksMs: Math.round((cpu.user + cpu.system) / 1000),
  };
  console.log(
    `slack ack (${benchStore.name}): ${commands} concurrent /cis 4.1 audit (real core, ${result.accountsPerAudit} accounts each, AWS latency ${awsLatencyMs} ms/call): ack p50 ${result.ackP50Ms} ms, p99 ${result.ackP99Ms} ms (max ${result.ackMaxMs} ms), ${loadNote(result)}, bot CPU during the acks ${result.cpuDuringAcksMs} ms; all work done after ${result.allWorkDoneMs} ms (${awsCalls} AWS calls, ${slackCalls} Slack calls)`,
  );
  if (benchStore === IN_MEMORY_SQLITE) {
    for (const line of SLACK_ACK_HISTORY.memory) console.log(line);
  }
  return result;
}

if (require.main === module) {
  benchSlackAck().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
