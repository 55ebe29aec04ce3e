/**
 * Drift-alert benchmark (issue 13), on the sandbox with 50 ms latency per AWS call: a generated
 * organization of 50 accounts (a compliant section-4 chain each) whose chain changes EventBridge routes
 * into one SQS queue, and the bot's real drift-alert wiring (createDriftAlerts: the SQS client
 * long-polling the sandbox, per-account debounce, the re-audit under the account lease, the alert state in
 * an SQLite file) posting to a recording chat poster (the Slack/Teams adapters' posting is not in it).
 * - event-to-chat latency: 200 changes in 50 accounts (each change deletes or restores the account's
 *   CIS 4.1 alarm, round robin, so each one flips 4.1's status and is posted); from the change's answer
 *   to the alert's post, p50/p99 (target p99 < 5 s);
 * - re-audits per burst of 10 events on one account (9 topic changes and the alarm deleted; target 1);
 * - duplicate posts with 2 replicas on one database and one queue (10 accounts' alarms deleted amid
 *   topic changes; target 0).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { AwsSession } from '../src/aws/session';
import { loadConfig } from '../src/config/load';
import type { Card } from '../src/core/cards';
import { getMetricFilterControl } from '../src/core/controls';
import type { ChatPoster } from '../src/core/ports/chat';
import { createDriftAlerts, type DriftAlerts } from '../src/events';
import { createLogger } from '../src/logger';
import { createCoreServices } from '../src/runtime';
import { type Sandbox, startSandbox } from '../src/sandbox';
import { openStore } from '../src/store';
import { putAlarmBack } from '../test/events/helpers';

const MGMT = '999988887777';
const REGION = 'eu-west-2';
const ACCOUNTS = 50;
const LATENCY_MS = 50;
const accountId = (i: number) => String(200000000000 + i);
const ALARM = getMetricFilterControl('4.1').defaults.alarmName;
const TOPIC = (id: string) => `arn:aws:sns:${REGION}:${id}:cis-alarms`;

interface Post {
  at: number;
  summary: string;
}

/** A chat poster that records when each alert was posted (what the bench measures). */
function recordingPoster(posts: Post[]): ChatPoster {
  return {
    platform: 'slack',
    async post(_conversation: string, cards: readonly Card[]) {
      for (const card of cards) posts.push({ at: performance.now(), summary: card.summary });
    },
  };
}

interface World {
  sandbox: Sandbox;
  bots: DriftAlerts[];
  posts: Post[];
  close(): Promise<void>;
}

async function startWorld(replicas: number): Promise<World> {
  const sandbox = await startSandbox({
    scenario: {
      organization: { management_account: MGMT, generate: { accounts: ACCOUNTS, regions: [REGION] } },
      accounts: [
        { id: MGMT, regions: { [REGION]: { queues: [{ name: 'events', visibility_timeout: 60 }] } } },
      ],
      events: [{ queue: `arn:aws:sqs:${REGION}:${MGMT}:events` }],
    },
    latencyMs: LATENCY_MS,
  });
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => accountId(i));
  const config = loadConfig({
    document: {
      aws: { accounts, region: REGION },
      events: {
        queue_url: `${sandbox.endpoint}/${MGMT}/events`,
        targets: { slack: ['C0ALERTS'] },
        wait_seconds: 1,
        busy_retry_ms: 200,
      },
    },
    env: { LOG_LEVEL: 'error' },
  });
  const dir = mkdtempSync(join(tmpdir(), 'cis-bench-drift-'));
  const posts: Post[] = [];
  const quiet = createLogger('events', { level: 'error', write: () => undefined });
  const sessions: AwsSession[] = [];
  const bots: DriftAlerts[] = [];
  const stores: Array<{ close(): Promise<void> }> = [];
  for (let r = 0; r < replicas; r++) {
    const session = new AwsSession({
      region: REGION,
      credentials: sandbox.credentialsFor(MGMT),
      roleAccounts: accounts,
      clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 3 },
    });
    const store = openStore(join(dir, 'bot.db'));
    const services = createCoreServices({ config, session, region: REGION, store });
    const bot = createDriftAlerts({ config, services, posters: [recordingPoster(posts)], log: quiet });
    if (!bot) throw new Error('drift alerts are not configured');
    await bot.start();
    sessions.push(session);
    stores.push(store);
    bots.push(bot);
  }
  return {
    sandbox,
    bots,
    posts,
    async close() {
      for (const bot of bots) await bot.stop();
      for (const store of stores) await store.close();
      for (const session of sessions) session.destroy();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const idle = (world: World) => Promise.all(world.bots.map((b) => b.poller.idle()));
const sum = (world: World, key: 'received' | 'reaudits') =>
  world.bots.reduce((n, b) => n + b.poller.stats[key], 0);

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

function clientsFor(sandbox: Sandbox, id: string) {
  const config = {
    endpoint: sandbox.endpoint,
    region: REGION,
    credentials: sandbox.credentialsFor(id),
    // Idle keep-alive sockets may be closed by the server as they are reused: the SDK retries that.
    maxAttempts: 3,
  };
  return { cw: new CloudWatchClient(config), sns: new SNSClient(config) };
}

async function alarmOf(cw: CloudWatchClient): Promise<MetricAlarm> {
  const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }));
  const alarm = MetricAlarms?.[0];
  if (!alarm) throw new Error(`no alarm ${ALARM}`);
  return alarm;
}

const touchTopic = (sns: SNSClient, id: string, i: number) =>
  sns.send(
    new SetTopicAttributesCommand({
      TopicArn: TOPIC(id),
      AttributeName: 'DisplayName',
      AttributeValue: `CIS ${i}`,
    }),
  );

const round = (n: number) => Math.round(n);
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function latency(log: (line: string) => void): Promise<void> {
  const world = await startWorld(1);
  try {
    const changes = 200;
    const clients = new Map<string, { cw: CloudWatchClient; alarm: MetricAlarm }>();
    for (let i = 0; i < ACCOUNTS; i++) {
      const { cw, sns } = clientsFor(world.sandbox, accountId(i));
      sns.destroy();
      clients.set(accountId(i), { cw, alarm: await alarmOf(cw) });
    }
    const sent = new Map<string, number[]>();
    const started = performance.now();
    for (let k = 0; k < changes; k++) {
      const id = accountId(k % ACCOUNTS);
      const c = clients.get(id);
      if (!c) continue;
      const deleting = Math.floor(k / ACCOUNTS) % 2 === 0;
      if (deleting) await c.cw.send(new DeleteAlarmsCommand({ AlarmNames: [ALARM] }));
      else await c.cw.send(putAlarmBack(c.alarm));
      sent.set(id, [...(sent.get(id) ?? []), performance.now()]);
    }
    const issuedMs = performance.now() - started;
    await until(() => world.posts.length >= changes, 60_000);
    await idle(world);
    const byAccount = new Map<string, number[]>();
    for (const p of world.posts) {
      const id = /account (\d{12})/.exec(p.summary)?.[1] ?? '';
      byAccount.set(id, [...(byAccount.get(id) ?? []), p.at]);
    }
    const latencies: number[] = [];
    for (const [id, times] of sent) {
      const posted = byAccount.get(id) ?? [];
      times.forEach((t, i) => {
        const at = posted[i];
        if (at !== undefined) latencies.push(at - t);
      });
    }
    latencies.sort((a, b) => a - b);
    log(
      `event-to-chat: ${changes} changes in ${ACCOUNTS} accounts (issued over ${round(issuedMs)} ms, AWS latency ${LATENCY_MS} ms, default debounce: 500 ms quiet, 3 s at most): ${world.posts.length} alerts posted, ${sum(world, 'reaudits')} re-audits; change answered -> alert posted p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms, max ${round(latencies[latencies.length - 1] ?? Number.NaN)} ms (target p99 < 5000 ms)`,
    );
    for (const c of clients.values()) c.cw.destroy();
  } finally {
    await world.close();
  }
}

async function burst(log: (line: string) => void): Promise<void> {
  const world = await startWorld(1);
  try {
    const id = accountId(7);
    const { cw, sns } = clientsFor(world.sandbox, id);
    for (let i = 0; i < 9; i++) await touchTopic(sns, id, i);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: [ALARM] }));
    await until(() => sum(world, 'received') >= 10, 30_000);
    await new Promise((r) => setTimeout(r, 100));
    await idle(world);
    log(
      `burst: 10 events on one account (9 topic changes, the 4.1 alarm deleted) -> ${sum(world, 'reaudits')} re-audit(s), ${world.posts.length} alert(s) (target 1 re-audit)`,
    );
    cw.destroy();
    sns.destroy();
  } finally {
    await world.close();
  }
}

async function replicas(log: (line: string) => void): Promise<void> {
  const world = await startWorld(2);
  try {
    const broken = 10;
    for (let i = 0; i < broken; i++) {
      const id = accountId(i);
      const { cw, sns } = clientsFor(world.sandbox, id);
      await touchTopic(sns, id, 0);
      await touchTopic(sns, id, 1);
      await cw.send(new DeleteAlarmsCommand({ AlarmNames: [ALARM] }));
      await touchTopic(sns, id, 2);
      await touchTopic(sns, id, 3);
      cw.destroy();
      sns.destroy();
    }
    await until(() => sum(world, 'received') >= broken * 5, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    await idle(world);
    const distinct = new Set(world.posts.map((p) => p.summary.replace(/ after .*/, ''))).size;
    log(
      `2 replicas, one queue and one database: ${broken} alarms deleted amid ${broken * 4} topic changes -> ${world.posts.length} alerts posted for ${distinct} distinct changes, ${world.posts.length - distinct} duplicate(s) (target 0); messages per replica ${world.bots.map((b) => b.poller.stats.received).join(' / ')}, re-audits ${sum(world, 'reaudits')}`,
    );
  } finally {
    await world.close();
  }
}

export async function benchDriftAlerts(log: (line: string) => void = console.log): Promise<void> {
  log(`drift alerts: sandbox with ${LATENCY_MS} ms latency per AWS call, ${ACCOUNTS} generated accounts`);
  await latency(log);
  await burst(log);
  await replicas(log);
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';
  benchDriftAlerts().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
