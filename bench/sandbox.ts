/**
 * Sandbox benchmark: what a generated organization costs (start-up time and heap for 1,000 and 10,000
 * accounts, before and after every account's chain is read), listing 1,000 accounts through the SDK
 * paginator, and chain-change events from 200 changes in 50 accounts into one long-polled queue (time
 * from the change's answer to the event's receipt). No injected latency. The SDK clients run in the same
 * process and cost more CPU per call (~5 ms: signing, (de)serialization) than the sandbox (~1 ms), so the
 * wall times are mostly the clients'.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
} from '@aws-sdk/client-cloudwatch';
import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { type Sandbox, type Scenario, startSandbox } from '../src/sandbox';

const MGMT = '999988887777';
const REGION = 'eu-west-2';

function organization(accounts: number, events = false): Scenario {
  return {
    organization: { management_account: MGMT, generate: { accounts, regions: [REGION] } },
    accounts: [{ id: MGMT, regions: { [REGION]: { queues: [{ name: 'events' }] } } }],
    ...(events ? { events: [{ queue: `arn:aws:sqs:${REGION}:${MGMT}:events` }] } : {}),
  };
}

const heapMb = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1048576;
};
const round = (n: number) => Math.round(n * 10) / 10;
const accountId = (i: number) => String(200000000000 + i);

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

function config(sb: Sandbox, credentials: Credentials = sb.credentialsFor(MGMT)) {
  return { endpoint: sb.endpoint, region: REGION, credentials, maxAttempts: 1 };
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

async function readEveryChain(sb: Sandbox, n: number): Promise<number> {
  const sts = new STSClient(config(sb));
  let alarms = 0;
  await pool(
    Array.from({ length: n }, (_, i) => accountId(i)),
    32,
    async (id) => {
      const { Credentials: c } = await sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/CisBotAudit`, RoleSessionName: 'bench' }),
      );
      const cw = new CloudWatchClient(
        config(sb, {
          accessKeyId: c?.AccessKeyId ?? '',
          secretAccessKey: c?.SecretAccessKey ?? '',
          sessionToken: c?.SessionToken ?? '',
        }),
      );
      const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ MaxRecords: 100 }));
      alarms += MetricAlarms?.length ?? 0;
      cw.destroy();
    },
  );
  sts.destroy();
  return alarms;
}

async function organizationCosts(log: (line: string) => void): Promise<void> {
  for (const n of [1000, 10_000]) {
    const before = heapMb();
    const started = performance.now();
    const sb = await startSandbox({ scenario: organization(n) });
    const startMs = performance.now() - started;
    const idle = heapMb() - before;
    let line = `${String(n).padStart(6)} accounts: start ${round(startMs)} ms, heap +${round(idle)} MB`;
    if (n === 1000) {
      const org = new OrganizationsClient(config(sb));
      const listed = performance.now();
      let pages = 0;
      let count = 0;
      for await (const page of paginateListAccounts({ client: org, pageSize: 20 }, {})) {
        pages++;
        count += page.Accounts?.length ?? 0;
      }
      const listMs = performance.now() - listed;
      org.destroy();
      const read = performance.now();
      const alarms = await readEveryChain(sb, n);
      line += `; ListAccounts ${count} in ${pages} pages ${round(listMs)} ms; every chain read (${alarms} alarms) ${round(performance.now() - read)} ms, heap then +${round(heapMb() - before)} MB`;
    }
    log(line);
    await sb.close();
  }
}

async function eventLatency(log: (line: string) => void): Promise<void> {
  const sb = await startSandbox({ scenario: organization(50, true) });
  const sqs = new SQSClient(config(sb));
  const url = `${sb.endpoint}/${MGMT}/events`;
  const changes = 200;
  const sentAt = new Map<string, number>();
  // By the change's request id: an event may be read before the client has handled the change's answer.
  const receivedAt = new Map<string, number>();
  const reader = (async () => {
    while (receivedAt.size < changes) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }),
      );
      const now = performance.now();
      for (const m of Messages ?? []) {
        const event = JSON.parse(m.Body ?? '{}') as { detail: { requestID: string } };
        receivedAt.set(event.detail.requestID, now);
      }
    }
  })();
  const clients = new Map<string, CloudWatchClient>();
  const sts = new STSClient(config(sb));
  for (let i = 0; i < changes; i++) {
    const id = accountId(i % 50);
    let cw = clients.get(id);
    if (!cw) {
      const { Credentials: c } = await sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/CisBotAudit`, RoleSessionName: 'bench' }),
      );
      cw = new CloudWatchClient(
        config(sb, {
          accessKeyId: c?.AccessKeyId ?? '',
          secretAccessKey: c?.SecretAccessKey ?? '',
          sessionToken: c?.SessionToken ?? '',
        }),
      );
      clients.set(id, cw);
    }
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ MaxRecords: 1 }));
    const name = MetricAlarms?.[0]?.AlarmName ?? '';
    const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    // Toggle the alarm's actions: one state change, one event.
    const enabled = out.MetricAlarms?.[0]?.ActionsEnabled !== false;
    const change = enabled
      ? await cw.send(new DisableAlarmActionsCommand({ AlarmNames: [name] }))
      : await cw.send(new EnableAlarmActionsCommand({ AlarmNames: [name] }));
    sentAt.set(change.$metadata.requestId ?? '', performance.now());
  }
  await reader;
  const received = [...sentAt]
    .map(([id, at]) => Math.max(0, (receivedAt.get(id) ?? at) - at))
    .sort((a, b) => a - b);
  const pct = (p: number) =>
    round(received[Math.min(received.length - 1, Math.floor((p / 100) * received.length))] ?? 0);
  log(
    `chain-change events: ${receivedAt.size} of ${changes} changes in 50 accounts received by one long poll; change answered -> event received p50 ${pct(50)} ms, p99 ${pct(99)} ms`,
  );
  for (const c of clients.values()) c.destroy();
  sts.destroy();
  sqs.destroy();
  await sb.close();
}

export async function benchSandbox(log: (line: string) => void = console.log): Promise<void> {
  log('sandbox benchmark: generated organizations and chain-change events (no injected latency)');
  await organizationCosts(log);
  await eventLatency(log);
}

if (require.main === module) {
  benchSandbox().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
