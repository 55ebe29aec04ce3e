/**
 * Crash and resume across processes: a second process starts executing an approved plan over the same
 * SQLite file and dies after the first step; this process then sees the execution as interrupted (once
 * its lease lapsed), resumes the same approved plan, skips the step already done, and reaches COMPLIANT
 * with no duplicate resources. The audit log tells the whole story.
 */
import { join } from 'node:path';
import {
  ACCOUNT,
  ALICE,
  brokenScenario,
  configDoc,
  REGION,
  runCrashWorker,
  startHarness,
  tempDir,
} from './helpers';

test('an execution interrupted by a crashed process is resumed once, without duplicates', async () => {
  const tmp = tempDir();
  let offsetMs = 0;
  const doc = configDoc();
  const h = await startHarness(brokenScenario(['filter', 'alarm', 'topic']), doc, {
    dbPath: join(tmp.dir, 'shared.db'),
    now: () => new Date(Date.now() + offsetMs),
  });
  try {
    const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
    if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
    await h.approvals.decide(p.approval.id, ALICE, 'approve');
    const worker = await runCrashWorker({
      endpoint: h.sandbox.endpoint,
      credentials: h.sandbox.credentialsFor(ACCOUNT),
      region: REGION,
      dbPath: h.dbPath,
      config: doc,
      approvalId: p.approval.id,
    });
    expect(worker.code).toBe(137);
    expect(h.calls('PutMetricFilter')).toBe(1);
    const stuck = await h.approvals.get(p.approval.id);
    expect(stuck?.state).toBe('executing');
    expect(stuck?.executionOwner).toBe(`remediation ${p.approval.id}@crashing-worker`);

    // While the crashed owner's lease on the account still runs, nobody may take over.
    expect(await h.approvals.interruptedExecutions()).toHaveLength(0);
    offsetMs = 60_000; // past the 30-second lease
    expect((await h.approvals.interruptedExecutions()).map((a) => a.id)).toEqual([p.approval.id]);

    const [resumed] = await h.approvals.resumeInterrupted();
    if (!resumed || !('result' in resumed)) throw new Error(`resume failed: ${JSON.stringify(resumed)}`);
    expect(resumed.result.status).toBe('compliant');
    expect(resumed.result.steps.map((s) => s.status)).toEqual(['skipped', 'done', 'done', 'done']);
    expect(resumed.approval.state).toBe('succeeded');
    expect(h.counts()).toEqual({ filters: 1, alarms: 1, topics: 1, subscriptions: 1 });
    for (const op of ['PutMetricFilter', 'CreateTopic', 'Subscribe', 'PutMetricAlarm'])
      expect(h.calls(op)).toBe(1);

    const kinds = (await h.store.listAuditLog({ approvalId: p.approval.id, limit: 100 }))
      .reverse()
      .map((e) => e.kind);
    expect(kinds).toEqual([
      'approval-requested',
      'approved',
      'execution-started',
      'step',
      'execution-resumed',
      'step',
      'step',
      'step',
      'step',
      'execution-finished',
    ]);
  } finally {
    await h.close();
    tmp.remove();
  }
});
