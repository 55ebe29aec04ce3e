/**
 * An approval left in `approved` but never started (the process died, or the re-derive threw, between
 * the decision and beginExecution) is picked up by the start-up resume once its decision is older than
 * APPROVED_ABANDONED_AFTER_MS: re-derived and executed, or stale when the account changed. Until then a
 * live process may still be starting it, so it is left alone. The state is built in a SQLite file and
 * read back by a second store/service/workflow over the same file, as a restarted process would.
 */
import { join } from 'node:path';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { createAwsAuditor } from '../../src/aws/auditor';
import { createAwsRemediationRuntime } from '../../src/aws/executor';
import { approvalSettings, coreSettings } from '../../src/config/core-settings';
import { staticAccountDirectory } from '../../src/core/accounts';
import { APPROVED_ABANDONED_AFTER_MS, ApprovalService } from '../../src/core/approvals';
import { RemediationWorkflow } from '../../src/core/remediation';
import { openStore } from '../../src/store';
import { ACCOUNT, ALICE, brokenScenario, type Harness, REGION, startHarness, tempDir } from './helpers';

/** A "restarted process": its own store, approval service and workflow over the harness's database file. */
function restarted(h: Harness, now: () => Date) {
  const store = openStore(h.dbPath);
  const approvals = new ApprovalService({
    store,
    settings: approvalSettings(h.config),
    now,
    owner: 'restarted',
  });
  const workflow = new RemediationWorkflow({
    auditor: createAwsAuditor(h.config.aws, { session: h.session }),
    store,
    approvals,
    runtime: createAwsRemediationRuntime(h.session),
    settings: coreSettings(h.config),
    accounts: staticAccountDirectory(h.config.aws.accounts),
    now,
  });
  return { store, approvals, workflow };
}

test('an approved plan never started is re-derived and executed by the start-up resume', async () => {
  const tmp = tempDir();
  const h = await startHarness(brokenScenario(['alarm']), undefined, { dbPath: join(tmp.dir, 'a.db') });
  try {
    const p = await h.workflow.propose('4.1', ACCOUNT, ALICE);
    if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
    await h.workflow.approve(p.approval.id, ALICE); // ...and the process dies before beginExecution

    const soon = restarted(h, () => new Date(Date.now() + 60_000));
    expect(await soon.approvals.abandonedApprovals()).toEqual([]);
    expect(await soon.workflow.resumeInterrupted()).toEqual([]);
    await soon.store.close();

    const later = restarted(h, () => new Date(Date.now() + APPROVED_ABANDONED_AFTER_MS + 60_000));
    try {
      expect((await later.approvals.abandonedApprovals()).map((a) => a.id)).toEqual([p.approval.id]);
      const [outcome] = await later.workflow.resumeInterrupted();
      if (!outcome || !('result' in outcome)) throw new Error(`resume failed: ${JSON.stringify(outcome)}`);
      expect(outcome.result.status).toBe('compliant');
      expect(outcome.approval).toMatchObject({ state: 'succeeded', executionOwner: 'restarted' });
      expect(h.calls('PutMetricAlarm')).toBe(1);
      // Nothing left to pick up: a second start-up does nothing.
      expect(await later.workflow.resumeInterrupted()).toEqual([]);
      const kinds = (await later.store.listAuditLog({ approvalId: p.approval.id, limit: 50 }))
        .reverse()
        .map((e) => e.kind);
      expect(kinds).toEqual([
        'approval-requested',
        'approved',
        'execution-started',
        'step',
        'execution-finished',
      ]);
    } finally {
      await later.store.close();
    }
  } finally {
    await h.close();
    tmp.remove();
  }
});

test('an abandoned approval whose account changed becomes stale at start-up and runs nothing', async () => {
  const tmp = tempDir();
  const h = await startHarness(brokenScenario(['alarm', 'topic']), undefined, {
    dbPath: join(tmp.dir, 'b.db'),
  });
  try {
    const p = await h.workflow.propose('4.1', ACCOUNT, ALICE);
    if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
    await h.workflow.approve(p.approval.id, ALICE);
    // Someone creates the topic meanwhile: the plan that would run now differs from the approved one.
    const { sns } = h.session.clientsFor(ACCOUNT, REGION);
    await sns.send(new CreateTopicCommand({ Name: 'cis-security-alarms' }));

    const later = restarted(h, () => new Date(Date.now() + APPROVED_ABANDONED_AFTER_MS + 60_000));
    try {
      const [outcome] = await later.workflow.resumeInterrupted();
      expect(outcome).toMatchObject({ approvalId: p.approval.id });
      expect(outcome && 'error' in outcome ? outcome.error : '').toContain('ask for a new plan');
      expect((await later.approvals.get(p.approval.id))?.state).toBe('stale');
      expect(h.calls('PutMetricAlarm')).toBe(0);
    } finally {
      await later.store.close();
    }
  } finally {
    await h.close();
    tmp.remove();
  }
});
