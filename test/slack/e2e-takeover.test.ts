/**
 * Two replicas on one PostgreSQL database, through Slack's real receiver with signed requests: replica A
 * is a real `npm start` process (src/main.ts), replica B a bot server in this process. A plan is asked
 * for and approved on A; A executes it slowly (sandbox latency) and is killed with SIGKILL after its
 * first step. A click on B meanwhile says the approval is being executed. Once A's lease lapses, B's
 * periodic resume scan takes the execution over and finishes it: each AWS write once (sandbox call
 * counts), and the ORIGINAL thread shows that it was resumed (by B), the remaining steps and the verdict.
 * Intervals are short through the settings (a 2 s lease, renewed every 0.5 s, scans every 0.5 s).
 */
import { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import { createCoreServices } from '../../src/runtime';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { type BotServer, startBot } from '../../src/server';
import type { PostgresStore } from '../../src/store/postgres';
import { ACCOUNT, brokenScenario, QUEUE, REGION } from '../remediation/helpers';
import { FAKE_BOT_TOKEN, type FakeMessage, FakeSlackApi } from '../support/fake-slack-api';
import { createTestDatabase, openTestPostgresStore } from '../support/postgres';
import { type ReplicaProcess, startReplicaProcess } from '../support/replica-process';
import { buttonsOf, textOf } from './e2e-harness';
import { blockActionsBody, postSigned, SIGNING_SECRET, slashCommandBody } from './helpers';

const CHANNEL = 'C0SECOPS01';
const ALICE = { id: 'U0ALICE001', name: 'alice' };
const BOB = { id: 'U0BOB00001', name: 'bob' };
const WRITES = ['PutMetricFilter', 'CreateTopic', 'Subscribe', 'PutMetricAlarm'];

const document = {
  // No aws.accounts: the bot audits its own account (the sandbox credentials' ACCOUNT), without AssumeRole.
  aws: { region: REGION },
  remediation: { subscription: { protocol: 'sqs', endpoint: QUEUE } },
  approvals: {
    slack: { users: [BOB.id] },
    execution_lease_seconds: 2,
    lease_renew_seconds: 0.5,
    resume_scan_seconds: 0.5,
  },
};

let sandbox: Sandbox;
let fake: FakeSlackApi;
let store: PostgresStore;
let a: ReplicaProcess | undefined;
let b: BotServer | undefined;

afterEach(async () => {
  await a?.kill('SIGKILL');
  await b?.close(); // closes its store
  await fake?.close();
  await sandbox?.close();
});

/** Waits (polling) until `probe` answers something; fails with `what` after `limitMs`. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, limitMs = 20_000) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `gave up waiting for ${what}; Slack calls: ${JSON.stringify(fake.calls.map((c) => [c.method, c.args.text]))}; replica A's log: ${JSON.stringify(a?.logs().slice(-15))}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function click(url: string, message: FakeMessage, user: { id: string; name: string }) {
  const approve = buttonsOf(message).find((x) => x.action_id.includes('cis:approve'));
  if (!approve) throw new Error(`no Approve button on ${textOf(message)}`);
  return postSigned(url, {
    body: blockActionsBody({
      actionId: approve.action_id,
      value: approve.value,
      response_url: fake.responseUrl(),
      messageTs: message.ts,
      channelId: CHANNEL,
      userId: user.id,
      userName: user.name,
      message: { text: message.text, blocks: message.blocks },
    }),
  });
}

it('a replica killed mid-plan is taken over by another: each step once, the thread shows the resumed steps and the verdict', async () => {
  sandbox = await startSandbox({ scenario: brokenScenario(['filter', 'alarm', 'topic']) });
  fake = await FakeSlackApi.start();
  const databaseUrl = await createTestDatabase();
  const credentials = sandbox.credentialsFor(ACCOUNT);
  const slack = { apiUrl: fake.apiUrl, botToken: FAKE_BOT_TOKEN, signingSecret: SIGNING_SECRET };
  a = await startReplicaProcess({
    configYaml: JSON.stringify(document), // YAML is a superset of JSON
    databaseUrl,
    aws: { endpoint: sandbox.endpoint, ...credentials, region: REGION },
    slack,
  });
  const config = loadConfig({
    document,
    env: {
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'error',
    },
  });
  store = await openTestPostgresStore(databaseUrl);
  const session = new AwsSession({
    region: REGION,
    credentials,
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
  const services = createCoreServices({ config, session, store, owner: 'replica-b' });
  b = await startBot(config, services, { port: 0, host: '127.0.0.1', startTimers: false });
  const bUrl = `http://127.0.0.1:${b.port}/slack/events`;

  // The plan, asked for on A: its message (with Approve) is the thread everything reports in.
  const asked = await postSigned(a.slackUrl, {
    body: slashCommandBody({
      text: `4.1 remediate --account ${ACCOUNT}`,
      response_url: fake.responseUrl(),
      user_id: ALICE.id,
      user_name: ALICE.name,
      channel_id: CHANNEL,
    }),
  });
  expect(asked.status).toBe(200);
  // As first posted (with its buttons): what a client that has not refreshed sends back in a click.
  const plan = structuredClone(
    await until('the plan message', () =>
      fake
        .channelMessages(CHANNEL)
        .find((m) => buttonsOf(m).some((x) => x.action_id.includes('cis:approve'))),
    ),
  );
  const thread = () => fake.thread(CHANNEL, plan.ts).map(textOf);

  // Slow AWS from now on: the execution takes seconds, A dies after its first step.
  sandbox.setFaults({ latencyMs: 300 });
  expect((await click(a.slackUrl, plan, BOB)).status).toBe(200);
  await until('the first step in the thread', () => thread().some((t) => t.includes('[1/4]')));
  const [approval] = await store.listApprovals({ states: ['executing'] });
  if (!approval) throw new Error('no approval executing');
  // A names itself <host>:<pid> (src/main.ts).
  expect(approval.executionOwner).toMatch(new RegExp(`^remediation ${approval.id}@.+:${a.pid}$`));
  expect(approval.conversation).toMatchObject({ platform: 'slack', id: CHANNEL, messageRef: plan.ts });

  // A click on the other replica while A runs: refused, saying it is being executed.
  const ephemeralsBefore = fake.ephemerals.length;
  expect((await click(bUrl, plan, BOB)).status).toBe(200);
  const refused = await until('the refusal of the second click', () => fake.ephemerals[ephemeralsBefore]);
  expect(refused.text).toMatch(/is being executed since/);

  const killed = await a.kill('SIGKILL');
  expect(killed.signal).toBe('SIGKILL');
  const done = await until('the approval to finish on replica B', async () => {
    const current = await store.getApproval(approval.id);
    return current?.state === 'succeeded' || current?.state === 'failed' ? current : undefined;
  });
  expect(done).toMatchObject({ state: 'succeeded', executionOwner: `remediation ${approval.id}@replica-b` });
  // The verdict is posted after the state changes: wait for it in the thread.
  await until('the verdict in the thread', () => thread().some((t) => t.includes('COMPLIANT')));

  // Each AWS write once, whoever did it.
  for (const op of WRITES) {
    expect([op, sandbox.calls.filter((c) => c.operation === op && c.status === 200).length]).toEqual([op, 1]);
  }
  const lines = thread();
  const resumedAt = lines.findIndex((t) => t.includes('Resumed after an interruption'));
  expect(resumedAt).toBeGreaterThan(-1);
  expect(lines[resumedAt]).toContain(`remediation ${approval.id}@replica-b`);
  expect(lines[resumedAt]).toContain(approval.executionOwner as string);
  // After the resumption: the steps B ran (the one A did is skipped or not shown again), and the verdict.
  const after = lines.slice(resumedAt + 1).join('\n');
  expect(after).toMatch(/\[4\/4\]/);
  expect(after).toMatch(/re-audit says COMPLIANT/);
  const log = (await store.listAuditLog({ approvalId: approval.id, limit: 100 })).map((e) => e.kind);
  expect(log.filter((k) => k === 'execution-resumed')).toHaveLength(1);
}, 120_000);
