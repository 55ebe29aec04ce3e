/**
 * An approval left in `approved` but never started (the process died, or the re-derive threw, between
 * the decision and beginExecution) is picked up by the start-up resume once its decision is older than
 * APPROVED_ABANDONED_AFTER_MS: re-derived and executed, or stale when the account changed. Until then a
 * live process may still be starting it, so it is left alone. The state is built in a SQLite file and
 * read back by a second store and services over the same file, as a restarted process would.
 */
import { join } from 'node:path';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { APPROVED_ABANDONED_AFTER_MS } from '../../src/core/approvals';
import { openStore } from '../../src/store';
import {
  ACCOUNT,
  ALICE,
  brokenScenario,
  type Harness,
  REGION,
  startHarness,
  tempDir,
  wireServices,
} from './helpers';

/** A "restarted process": its own store and services over the harness's database file. */
function restarted(h: Harness, now: () => Date) {
  const store = openStore(h.dbPath);
  return { store, ...wireServices(h.config, h.session, store, { now, owner: 'restarted' }) };
}

test('an approved plan never started is re-derived and executed by the start-up resume', async () => {
  const tmp = tempDir();
  const h = await startHarness(brokenScenario(['alarm']), undefined, { dbPath: join(tmp.dir, 'a.db') });
  try {
    const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
    if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
    await h.approvals.decide(p.approval.id, ALICE, 'approve'); // ...and the process dies before beginExecution

    const soon = restarted(h, () => new Date(Date.now() + 60_000));
    expect(await soon.ledger.abandonedApprovals()).toEqual([]);
    expect(await soon.approvals.resumeInterrupted()).toEqual([]);
    await soon.store.close();

    const later = restarted(h, () => new Date(Date.now() + APPROVED_ABANDONED_AFTER_MS + 60_000));
    try {
      expect((await later.ledger.abandonedApprovals()).map((a) => a.id)).toEqual([p.approval.id]);
      const [outcome] = await later.approvals.resumeInterrupted();
      if (!outcome || !('result' in outcome)) throw new Error(`resume failed: ${JSON.stringify(outcome)}`);
      expect(outcome.result.status).toBe('compliant');
      expect(outcome.approval).toMatchObject({
        state: 'succeeded',
        executionOwner: `remediation ${outcome.approval.id}@restarted`,
      });
      expect(h.calls('PutMetricAlarm')).toBe(1);
      // Nothing left to pick up: a second start-up does nothing.
      expect(await later.approvals.resumeInterrupted()).toEqual([]);
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
    const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
    if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
    await h.approvals.decide(p.approval.id, ALICE, 'approve');
    // Someone creates the topic meanwhile: the plan that would run now differs from the approved one.
    const { sns } = h.session.clientsFor(ACCOUNT, REGION);
    await sns.send(new CreateTopicCommand({ Name: 'cis-security-alarms' }));

    const later = restarted(h, () => new Date(Date.now() + APPROVED_ABANDONED_AFTER_MS + 60_000));
    try {
      const [outcome] = await later.approvals.resumeInterrupted();
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
