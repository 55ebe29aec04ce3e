/**
 * State survives the process: a second process approves and exits, or crashes (SIGKILL) mid-execution;
 * this process reopens the same database file and finds exactly what happened.
 */
import { join } from 'node:path';
import { ApprovalLedger } from '../../src/core/approvals/ledger';
import { openStore } from '../../src/store';
import { killWorkers, startWorker, tempDir } from '../store/helpers';
import { approvalsSettings, PLAN_HASH } from './fixtures/setup';

// A test that fails half-way must not leave a worker waiting for its "go".
afterEach(killWorkers);

const tmp = tempDir('cis-bot-restart-');
afterAll(() => tmp.remove());

const WORKER = join(__dirname, 'fixtures', 'crash-worker.ts');

it('an approval made by another process is there after it exits', async () => {
  const db = tmp.file('approve.db');
  const worker = startWorker(WORKER, { db, mode: 'approve', owner: 'first-process' });
  await worker.ready;
  worker.go();
  const { approvalId } = (await worker.result) as { approvalId: string };

  const store = openStore(db);
  const service = new ApprovalLedger({ store, settings: approvalsSettings(), owner: 'second-process' });
  expect(await store.getApproval(approvalId)).toMatchObject({
    state: 'approved',
    decidedBy: { platform: 'slack', userId: 'U_APPROVER_7' },
  });
  expect((await service.beginExecution(approvalId, PLAN_HASH)).executionOwner).toBe('second-process');
  await store.close();
});

it('an execution interrupted by a crash is visible after restart and is resumed exactly once', async () => {
  const db = tmp.file('crash.db');
  const worker = startWorker(WORKER, { db, mode: 'crash', owner: 'crashed-process' });
  await worker.ready;
  worker.go();
  const exit = await worker.exited;
  expect(exit.code === 0 && exit.signal === null).toBe(false);
  const { approvalId } = worker.last() as { approvalId: string };

  const store = openStore(db);
  const config = approvalsSettings();
  expect(await store.getApproval(approvalId)).toMatchObject({
    state: 'executing',
    executionOwner: 'crashed-process',
  });

  // When its lease lapsed is the workflow's question (the account's lease); the ledger lets one take over.
  const restarted = new ApprovalLedger({ store, settings: config, owner: 'restarted' });
  const rival = new ApprovalLedger({ store, settings: config, owner: 'rival' });
  expect((await restarted.executionsToCheck()).map((a) => a.id)).toEqual([approvalId]);
  const [mine, theirs] = await Promise.allSettled([
    restarted.resumeInterrupted(approvalId),
    rival.resumeInterrupted(approvalId),
  ]);
  expect([mine.status, theirs.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
  const owner = (await store.getApproval(approvalId))?.executionOwner;
  const winner = owner === 'restarted' ? restarted : rival;
  const done = await winner.finishExecution(approvalId, 'succeeded', { reaudit: 'COMPLIANT' });
  expect(done.state).toBe('succeeded');

  const log = (await store.listAuditLog({ approvalId, limit: 50 })).reverse();
  expect(log.map((e) => e.kind)).toEqual([
    'approval-requested',
    'approved',
    'execution-started',
    'step',
    'execution-resumed',
    'execution-finished',
  ]);
  expect(log[4]?.detail).toMatchObject({ previousOwner: 'crashed-process', owner });
  await store.close();
});
