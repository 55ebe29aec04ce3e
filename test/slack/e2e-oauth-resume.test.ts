/**
 * A resumed run of an OAuth installation reports in its approval's thread with the token of the workspace
 * it was requested in. Two workspaces are installed; a plan is asked for and approved in BETA (signed
 * requests to the real Bolt receiver) while other work holds the account, so it waits approved; a second
 * process (the shared crash worker) starts executing it over the same SQLite file and dies after the first
 * step. Once its lease lapsed, the bot's resume scan takes it over: "Resumed after an interruption", the
 * remaining steps and the verdict go into the plan's thread in BETA's channel, with BETA's token only.
 */
import { join } from 'node:path';
import { accountLeaseKey } from '../../src/core/leases';
import { runCrashWorker, tempDir } from '../remediation/helpers';
import { CAROL, type E2E, SQS_ENDPOINT, textOf } from './e2e-harness';
import { ACME_TOKEN, BETA, BETA_TOKEN, DEV, startInstalled } from './oauth-flow';

const BETA_OPS = 'C0BETAOPS1';

let e: E2E | undefined;
const tmp = tempDir();
afterAll(async () => {
  await e?.close();
  tmp.remove();
});

it("a run interrupted by a crash is resumed into its thread in the approval's workspace, with that workspace's token", async () => {
  const harness = (await startInstalled({ storePath: join(tmp.dir, 'shared.db') })).e;
  e = harness;

  const plan = await harness.command(`4.1 remediate --account ${DEV}`, { team: BETA, channel: BETA_OPS });
  if (!plan.message) throw new Error('no plan posted');
  // Other work holds the account: Carol's approval is recorded (with the message it was clicked on) and
  // waits, approved, instead of running here.
  const store = harness.services.store;
  const lease = accountLeaseKey(DEV);
  expect(await store.acquireLease(lease, 'other work', 60_000, new Date())).toBeDefined();
  await harness.click(plan.message, 'cis:approve', CAROL, { team: BETA });
  const [approved] = await store.listApprovals();
  if (!approved) throw new Error('no approval');
  expect(approved).toMatchObject({
    state: 'approved',
    conversation: { platform: `slack:${BETA.teamId}`, id: BETA_OPS, messageRef: plan.message.ts },
  });
  await store.releaseLease(lease, 'other work');

  // Another replica starts it and dies after the first step.
  const worker = await runCrashWorker({
    endpoint: harness.run.sandbox.endpoint,
    credentials: harness.run.sandbox.credentialsFor(DEV),
    region: harness.run.defaultRegion,
    dbPath: join(tmp.dir, 'shared.db'),
    config: {
      aws: { accounts: [DEV], region: harness.run.defaultRegion },
      remediation: { subscription: { protocol: 'sqs', endpoint: SQS_ENDPOINT } },
    },
    approvalId: approved.id,
  });
  expect(worker).toMatchObject({ code: 137 });
  expect((await store.getApproval(approved.id))?.state).toBe('executing');

  const mark = harness.fake.calls.length;
  harness.clock.offsetMs = 60_000; // past the crashed worker's 30-second lease
  const outcomes = await harness.bot.resumeScanner.scanNow();
  expect(outcomes.map((o) => ('error' in o ? o.error : o.approval.state))).toEqual(['succeeded']);

  const posts = harness.fake.calls.slice(mark).filter((c) => c.method === 'chat.postMessage');
  expect(posts.length).toBeGreaterThan(0);
  for (const post of posts) {
    expect(post).toMatchObject({
      token: BETA_TOKEN,
      args: { channel: BETA_OPS, thread_ts: plan.message.ts },
    });
  }
  const thread = harness.fake.thread(BETA_OPS, plan.message.ts).map(textOf).join('\n');
  expect(thread).toMatch(/Resumed after an interruption/);
  expect(thread).toMatch(/\[1\/1\] skipped: Create metric filter/);
  expect(thread).toMatch(/re-audit says COMPLIANT/);
  expect(harness.fake.calls.slice(mark).filter((c) => c.token === ACME_TOKEN)).toEqual([]);
}, 60_000);
