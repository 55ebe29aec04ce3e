/**
 * Benchmark: Socket Mode. The bot server (startBot, `slack.mode: socket`: Slack's real Socket Mode client
 * in the adapter's receiver) runs the real core over the AWS sandbox with per-call latency (as
 * bench/slack.ts). Slack's side of the WebSocket runs in a worker thread (another machine's work must not
 * be counted as the bot's): it greets the connection, sends 50 `/cis 4.1 audit` envelopes at once and
 * times each until its ack arrives; then it asks the bot to reconnect (Slack's `disconnect` message)
 * several times and times each until the new connection is greeted (apps.connections.open included).
 * Prints ack p50/p99 over Socket Mode next to HTTP's (bench/slack.ts, same load) and the reconnection times.
 * Run alone with `npx tsx bench/slack-socket.ts`; `npm run bench` calls `benchSlackSocket()`.
 */
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config/load';
import { createCoreServices } from '../src/runtime';
import { bundledScenario, startSandboxRun } from '../src/sandbox-run';
import { startBot } from '../src/server';
import { openStore } from '../src/store';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../test/support/fake-slack-api';
import { FAKE_APP_TOKEN } from '../test/support/fake-slack-socket';
import { benchCommand, benchSlackAck, percentile } from './slack';

/** Slack's side of Socket Mode, in the worker (plain CommonJS: the worker has no TypeScript loader). */
const SLACK_SIDE = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebSocketServer } = require(workerData.wsPath);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
let current;
let connections = 0;
let reconnectStarted;
const pending = new Map();
wss.on('listening', () => parentPort.postMessage({ port: wss.address().port }));
wss.on('connection', (ws) => {
  connections += 1;
  current = ws;
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    const sent = pending.get(message.envelope_id);
    if (sent === undefined) return;
    pending.delete(message.envelope_id);
    sent.resolve(performance.now() - sent.at);
  });
  ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0BENCH001' } }));
  if (reconnectStarted !== undefined) {
    parentPort.postMessage({ reconnectMs: performance.now() - reconnectStarted });
    reconnectStarted = undefined;
  } else parentPort.postMessage({ connected: connections });
});
parentPort.on('message', (m) => {
  if (m.send) {
    Promise.all(m.send.map((payload, i) => new Promise((resolve) => {
      const id = 'bench-' + m.round + '-' + i;
      pending.set(id, { at: performance.now(), resolve });
      current.send(JSON.stringify({ envelope_id: id, type: 'slash_commands', payload, accepts_response_payload: true }));
    }))).then((acks) => parentPort.postMessage({ acks }));
  } else if (m.reconnect) {
    reconnectStarted = performance.now();
    current.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested' }));
  } else if (m.stop) {
    for (const c of wss.clients) c.terminate();
    wss.close(() => parentPort.postMessage({ stopped: true }));
  }
});
`;

type SlackSideMessage =
  | { port: number }
  | { connected: number }
  | { acks: number[] }
  | { reconnectMs: number }
  | { stopped: true };

const round = (n: number) => Math.round(n * 10) / 10;

export interface SlackSocketResult {
  commands: number;
  socketAckP50Ms: number;
  socketAckP99Ms: number;
  httpAckP50Ms: number;
  httpAckP99Ms: number;
  reconnectMedianMs: number;
  reconnectMaxMs: number;
}

export async function benchSlackSocket(
  options: { commands?: number; awsLatencyMs?: number; reconnections?: number } = {},
): Promise<SlackSocketResult> {
  const commands = options.commands ?? 50;
  const awsLatencyMs = options.awsLatencyMs ?? 250;
  const reconnections = options.reconnections ?? 5;
  const worker = new Worker(SLACK_SIDE, { eval: true, workerData: { wsPath: require.resolve('ws') } });
  const inbox: SlackSideMessage[] = [];
  let wake: (() => void) | undefined;
  worker.on('message', (m: SlackSideMessage) => {
    inbox.push(m);
    wake?.();
  });
  const next = async <K extends string>(key: K): Promise<Extract<SlackSideMessage, Record<K, unknown>>> => {
    for (;;) {
      const at = inbox.findIndex((m) => key in m);
      if (at !== -1) return inbox.splice(at, 1)[0] as Extract<SlackSideMessage, Record<K, unknown>>;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  const { port } = await next('port');

  const run = await startSandboxRun(bundledScenario('audit-demo'), {
    roleAccounts: [],
    latencyMs: awsLatencyMs,
  });
  const fake = await FakeSlackApi.start({
    methods: {
      'apps.connections.open': (_args, token) =>
        token === FAKE_APP_TOKEN
          ? { ok: true, url: `ws://127.0.0.1:${port}/link/` }
          : { ok: false, error: 'invalid_auth' },
    },
  });
  const config = loadConfig({
    document: { aws: { accounts: run.otherAccounts, region: run.defaultRegion }, slack: { mode: 'socket' } },
    env: {
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_APP_TOKEN: FAKE_APP_TOKEN,
      SLACK_API_URL: fake.apiUrl,
      LOG_LEVEL: 'error',
    },
  });
  const services = createCoreServices({
    config,
    session: run.session,
    region: run.defaultRegion,
    labels: run.labels,
    store: openStore(':memory:'),
  });
  const bot = await startBot(config, services, { port: 0, host: '127.0.0.1', startTimers: false });
  await next('connected');

  let trigger = 0;
  const payload = (i: number) => {
    trigger += 1;
    return benchCommand(i, fake.responseUrl(), `${trigger}.1.bench`);
  };
  // Warm-up, as bench/slack.ts: the steady state is measured.
  worker.postMessage({ round: 'warm', send: [payload(1000), payload(1001), payload(1002)] });
  await next('acks');
  await bot.slack?.idle();
  worker.postMessage({ round: 'measure', send: Array.from({ length: commands }, (_, i) => payload(i)) });
  const { acks } = await next('acks');
  await bot.slack?.idle();

  const reconnects: number[] = [];
  for (let i = 0; i < reconnections; i += 1) {
    worker.postMessage({ reconnect: true });
    reconnects.push((await next('reconnectMs')).reconnectMs);
  }
  await bot.close();
  worker.postMessage({ stop: true });
  await next('stopped');
  await worker.terminate();
  await fake.close();
  await run.close();

  const sorted = [...acks].sort((a, b) => a - b);
  const reconnectSorted = [...reconnects].sort((a, b) => a - b);
  const http = await benchSlackAck({ commands, awsLatencyMs });
  const result: SlackSocketResult = {
    commands,
    socketAckP50Ms: round(percentile(sorted, 50)),
    socketAckP99Ms: round(percentile(sorted, 99)),
    httpAckP50Ms: http.ackP50Ms,
    httpAckP99Ms: http.ackP99Ms,
    reconnectMedianMs: round(percentile(reconnectSorted, 50)),
    reconnectMaxMs: round(reconnectSorted.at(-1) ?? 0),
  };
  console.log(
    `slack socket mode: ${commands} concurrent /cis 4.1 audit envelopes (AWS latency ${awsLatencyMs} ms/call): ack p50 ${result.socketAckP50Ms} ms, p99 ${result.socketAckP99Ms} ms; over HTTP (same load): p50 ${result.httpAckP50Ms} ms, p99 ${result.httpAckP99Ms} ms`,
  );
  console.log(
    `slack socket mode: reconnection after Slack's disconnect message (until the new connection's hello, apps.connections.open included): median ${result.reconnectMedianMs} ms, max ${result.reconnectMaxMs} ms over ${reconnections}; Slack's own client (Bolt's SocketModeReceiver) waits its 5000 ms ping timeout first`,
  );
  return result;
}

if (require.main === module) {
  benchSlackSocket().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
