/**
 * Several cis-bot replicas (real `npm start` processes, replica-process.ts) on one PostgreSQL database,
 * one AWS sandbox and one fake Slack Web API, all on loopback, plus what the replica tests and
 * bench/replicas.ts do with them: ask for a plan in a channel, click its Approve button on any replica
 * (signed as Slack signs), watch the plan's thread, and read the approval from the database.
 * The sandbox account is the sandbox credentials' own (no aws.accounts, no AssumeRole); its chain misses
 * the filter, the alarm and the topic, so the plan has four AWS write steps.
 */

import type { Approval } from '../../src/core/ports/store';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import type { PostgresStore } from '../../src/store/postgres';
import { waitFor } from '../events/helpers';
import { ACCOUNT, brokenScenario, QUEUE, REGION } from '../remediation/helpers';
import { buttonsOf, textOf } from '../slack/e2e-harness';
import { blockActionsBody, postSigned, SIGNING_SECRET, slashCommandBody } from '../slack/helpers';
import { FAKE_BOT_TOKEN, type FakeMessage, FakeSlackApi } from './fake-slack-api';
import { openTestPostgresStore } from './postgres';
import { type ReplicaProcess, startReplicaProcess } from './replica-process';

export { ACCOUNT };
export const CHANNEL = 'C0SECOPS01';
export const REQUESTER = { id: 'U0ALICE001', name: 'alice' };
/** Approvers: U0APPROVER00 … U0APPROVER49. */
export const APPROVERS = Array.from({ length: 50 }, (_, i) => ({
  id: `U0APPROVER${String(i).padStart(2, '0')}`,
  name: `approver${i}`,
}));
/** The AWS writes of the plan, one each. */
export const PLAN_WRITES = ['PutMetricFilter', 'CreateTopic', 'Subscribe', 'PutMetricAlarm'];

export interface ClusterOptions {
  replicas: number;
  databaseUrl: string;
  /** approvals.execution_lease_seconds, lease_renew_seconds, resume_scan_seconds (default: the defaults). */
  timing?: { leaseSeconds: number; renewSeconds: number; scanSeconds: number };
}

export interface Cluster {
  sandbox: Sandbox;
  fake: FakeSlackApi;
  replicas: ReplicaProcess[];
  /** A store on the replicas' database, for reading what they did. */
  store: PostgresStore;
  /** Asks for the 4.1 plan on replica `on`; answers the plan message as first posted (with its buttons). */
  askPlan(on: number): Promise<FakeMessage>;
  /** Clicks Approve on `plan` as `user`, through replica `on`. */
  approve(on: number, plan: FakeMessage, user: { id: string; name: string }): Promise<number>;
  /** The texts of the plan's thread, oldest first. */
  thread(plan: FakeMessage): string[];
  /** Polls the database until the approval of `plan`'s button is succeeded or failed. */
  finished(approvalId: string, limitMs?: number): Promise<Approval>;
  /** Successful sandbox calls of `operation`. */
  writes(operation: string): number;
  close(): Promise<void>;
}

/** Polls `probe` until it answers something; fails naming `what` after `limitMs` (a bound, not a measure). */
export function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  limitMs = 60_000,
): Promise<T> {
  return waitFor(what, probe, limitMs);
}

function approveButton(message: FakeMessage) {
  const button = buttonsOf(message).find((b) => b.action_id.includes('cis:approve'));
  if (!button) throw new Error(`no Approve button on ${textOf(message)}`);
  return button;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const sandbox = await startSandbox({ scenario: brokenScenario(['filter', 'alarm', 'topic']) });
  const fake = await FakeSlackApi.start();
  const timing = options.timing;
  const document = {
    aws: { region: REGION },
    remediation: { subscription: { protocol: 'sqs', endpoint: QUEUE } },
    approvals: {
      slack: { users: APPROVERS.map((a) => a.id) },
      ...(timing
        ? {
            execution_lease_seconds: timing.leaseSeconds,
            lease_renew_seconds: timing.renewSeconds,
            resume_scan_seconds: timing.scanSeconds,
          }
        : {}),
    },
  };
  const credentials = sandbox.credentialsFor(ACCOUNT);
  const replicas: ReplicaProcess[] = [];
  let store: PostgresStore | undefined;
  const close = async () => {
    await Promise.all(replicas.map((r) => r.kill('SIGTERM')));
    await store?.close();
    await fake.close();
    await sandbox.close();
  };
  try {
    // One after the other: the first migrates the database (the others would wait on its lock anyway).
    for (let i = 0; i < options.replicas; i++) {
      replicas.push(
        await startReplicaProcess({
          configYaml: JSON.stringify(document), // YAML is a superset of JSON
          databaseUrl: options.databaseUrl,
          aws: { endpoint: sandbox.endpoint, ...credentials, region: REGION },
          slack: { apiUrl: fake.apiUrl, botToken: FAKE_BOT_TOKEN, signingSecret: SIGNING_SECRET },
        }),
      );
    }
    store = await openTestPostgresStore(options.databaseUrl);
  } catch (error) {
    await close();
    throw error;
  }
  const db = store;
  const replicaUrl = (on: number) => (replicas[on] as ReplicaProcess).slackUrl;
  return {
    sandbox,
    fake,
    replicas,
    store: db,
    async askPlan(on) {
      const before = new Set(fake.channelMessages(CHANNEL).map((m) => m.ts));
      const asked = await postSigned(replicaUrl(on), {
        body: slashCommandBody({
          text: `4.1 remediate --account ${ACCOUNT}`,
          response_url: fake.responseUrl(),
          user_id: REQUESTER.id,
          user_name: REQUESTER.name,
          channel_id: CHANNEL,
        }),
      });
      if (asked.status !== 200) throw new Error(`the plan command was answered ${asked.status}`);
      const plan = await until('the plan message', () =>
        fake
          .channelMessages(CHANNEL)
          .find((m) => !before.has(m.ts) && buttonsOf(m).some((b) => b.action_id.includes('cis:approve'))),
      );
      // As first posted: what a client that has not refreshed sends back in a click.
      return structuredClone(plan);
    },
    async approve(on, plan, user) {
      const button = approveButton(plan);
      const res = await postSigned(replicaUrl(on), {
        body: blockActionsBody({
          actionId: button.action_id,
          value: button.value,
          response_url: fake.responseUrl(),
          messageTs: plan.ts,
          channelId: CHANNEL,
          userId: user.id,
          userName: user.name,
          message: { text: plan.text, blocks: plan.blocks },
        }),
      });
      return res.status;
    },
    thread: (plan) => fake.thread(CHANNEL, plan.ts).map(textOf),
    finished: (approvalId, limitMs = 90_000) =>
      until(
        `approval ${approvalId} to finish`,
        async () => {
          const current = await db.getApproval(approvalId);
          return current?.state === 'succeeded' || current?.state === 'failed' ? current : undefined;
        },
        limitMs,
      ),
    writes: (operation) => sandbox.calls.filter((c) => c.operation === operation && c.status === 200).length,
    close,
  };
}

/** The approval id an Approve button carries. */
export function approvalIdOf(plan: FakeMessage): string {
  return approveButton(plan).value;
}
