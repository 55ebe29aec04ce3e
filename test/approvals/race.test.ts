/**
 * 50 approvers click Approve at once and every winner (plus 50 more callers) tries to start the
 * execution: in one process, across two store connections (replicas), and across two real processes
 * over one database file. Exactly one decision and one execution may happen.
 */
import { join } from 'node:path';
import { ApprovalLedger } from '../../src/core/approvals/ledger';
import { RemediationRefused } from '../../src/core/errors';
import { openStore, type SqliteStore } from '../../src/store';
import { killWorkers, startWorker, tempDir } from '../store/helpers';
import {
  ACCOUNT,
  APPROVERS,
  approvalsSettings,
  approver,
  PLAN_HASH,
  requester,
  savePlan,
} from './fixtures/setup';

// A test that fails half-way must not leave a worker waiting for its "go".
afterEach(killWorkers);

const tmp = tempDir('cis-bot-race-');
afterAll(() => tmp.remove());

interface Outcome {
  decided: number;
  began: number;
  refusals: Record<string, number>;
}

async function setUp(path: string): Promise<{ store: SqliteStore; approvalId: string }> {
  const store = openStore(path);
  await savePlan(store);
  const service = new ApprovalLedger({ store, settings: approvalsSettings() });
  const { id } = await service.request({
    kind: 'remediation',
    planHash: PLAN_HASH,
    control: '4.1',
    accountId: ACCOUNT,
    requestedBy: requester,
  });
  return { store, approvalId: id };
}

async function race(services: ApprovalLedger[], approvalId: string): Promise<Outcome> {
  const outcome: Outcome = { decided: 0, began: 0, refusals: {} };
  const refused = (error: unknown) => {
    if (!(error instanceof RemediationRefused)) throw error;
    outcome.refusals[error.reason] = (outcome.refusals[error.reason] ?? 0) + 1;
  };
  const pick = (i: number) => services[i % services.length] as ApprovalLedger;
  const begin = (i: number) =>
    pick(i)
      .beginExecution(approvalId, PLAN_HASH)
      .then(() => {
        outcome.began++;
      }, refused);
  await Promise.all([
    ...APPROVERS.map((_, i) =>
      pick(i)
        .decide({ approvalId, actor: approver(i), decision: 'approve' })
        .then(() => {
          outcome.decided++;
          return begin(i);
        }, refused),
    ),
    // 50 more callers (other clicks, replicas) wait for the decision, then race to start the execution.
    ...APPROVERS.map(async (_, i) => {
      while ((await pick(i).get(approvalId))?.state === 'requested') await new Promise(setImmediate);
      return begin(i);
    }),
  ]);
  return outcome;
}

async function assertRanOnce(store: SqliteStore, approvalId: string): Promise<void> {
  const approval = await store.getApproval(approvalId);
  expect(approval?.state).toBe('executing');
  const log = await store.listAuditLog({ approvalId, limit: 500 });
  const count = (kind: string) => log.filter((e) => e.kind === kind).length;
  expect(count('approved')).toBe(1);
  expect(count('execution-started')).toBe(1);
  // Everybody who lost the approval race got a logged refusal.
  expect(count('refused')).toBe(APPROVERS.length - 1);
}

it('in one process: 50 concurrent approvals and 100 begins execute the plan once', async () => {
  const { store, approvalId } = await setUp(tmp.file('one-process.db'));
  const service = new ApprovalLedger({ store, settings: approvalsSettings(), owner: 'only' });
  const outcome = await race([service], approvalId);
  expect(outcome.decided).toBe(1);
  expect(outcome.began).toBe(1);
  expect(outcome.refusals).toEqual({ 'already-decided': 2 * APPROVERS.length - 1 });
  await assertRanOnce(store, approvalId);
  await store.close();
});

it('two replicas (two connections to one file): the plan executes once', async () => {
  const path = tmp.file('two-connections.db');
  const { store, approvalId } = await setUp(path);
  const other = openStore(path);
  const services = [
    new ApprovalLedger({ store, settings: approvalsSettings(), owner: 'replica-a' }),
    new ApprovalLedger({ store: other, settings: approvalsSettings(), owner: 'replica-b' }),
  ];
  const outcome = await race(services, approvalId);
  expect(outcome.decided).toBe(1);
  expect(outcome.began).toBe(1);
  await assertRanOnce(other, approvalId);
  await Promise.all([store.close(), other.close()]);
});

it('two real processes over one database file: exactly one process starts the execution', async () => {
  const path = tmp.file('two-processes.db');
  const { store, approvalId } = await setUp(path);
  const worker = join(__dirname, 'fixtures', 'race-worker.ts');
  const halves = [APPROVERS.slice(0, 25), APPROVERS.slice(25)];
  const workers = halves.map((approvers, i) =>
    startWorker(worker, { db: path, approvalId, approvers, extraBegins: 25, owner: `process-${i}` }),
  );
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  const outcomes = (await Promise.all(workers.map((w) => w.result))) as Outcome[];
  const total = (key: 'decided' | 'began') => outcomes.reduce((sum, o) => sum + o[key], 0);
  expect(total('decided')).toBe(1);
  expect(total('began')).toBe(1);
  await assertRanOnce(store, approvalId);
  const winner = (await store.getApproval(approvalId))?.executionOwner;
  expect(['process-0', 'process-1']).toContain(winner);
  console.log(`two-process race: ${JSON.stringify(outcomes)}; execution owned by ${winner}`);
  await store.close();
});
