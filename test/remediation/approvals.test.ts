/**
 * The workflow's gates: a plan changed between proposal and approval is refused as stale and nothing
 * runs; 50 concurrent approve-and-execute calls (and 50 concurrent executions of one approved plan) run
 * it once; self-approval, unauthorized, expired and rejected approvals run nothing; `default_action:
 * remediate` runs without a person and is logged as cis-bot's own automatic approval.
 */
import { RemediationRefused } from '../../src/core/errors';
import { refusal } from '../approvals/fixtures/setup';
import {
  ACCOUNT,
  ALICE,
  BOB_SLACK,
  brokenScenario,
  CAROL_SLACK,
  configDoc,
  REGION,
  startHarness,
  TOPIC,
} from './helpers';

const WRITES = ['PutMetricFilter', 'CreateTopic', 'Subscribe', 'PutMetricAlarm'];

describe('stale plans', () => {
  test('the account changed between proposal and approval: refused as stale, nothing executed', async () => {
    const h = await startHarness(brokenScenario(['alarm']));
    try {
      const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
      if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
      // Someone removes the topic's subscriber: the plan shown no longer covers what must be done.
      const topic = h.sandbox.state.region(ACCOUNT, REGION).topics.get(TOPIC);
      if (topic) topic.subscriptions = [];
      const before = h.counts();
      const error = await refusal(h.approvals.approveAndExecute(p.approval.id, ALICE));
      expect(error.reason).toBe('stale');
      expect((await h.approvals.get(p.approval.id))?.state).toBe('stale');
      for (const op of WRITES) expect(h.calls(op)).toBe(0);
      expect(h.counts()).toEqual(before);
      const kinds = (await h.store.listAuditLog({ approvalId: p.approval.id })).map((e) => e.kind);
      expect(kinds).toContain('stale');
      expect(kinds).not.toContain('execution-started');
    } finally {
      await h.close();
    }
  });

  test('someone else fixed it meanwhile: also stale, nothing executed', async () => {
    const h = await startHarness(brokenScenario(['subscription']));
    try {
      const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
      if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
      const topic = h.sandbox.state.region(ACCOUNT, REGION).topics.get(TOPIC);
      topic?.subscriptions.push({
        id: 'manual',
        protocol: 'sqs',
        endpoint: 'arn:aws:sqs:eu-west-2:111122223333:other',
        confirmed: true,
        owner: ACCOUNT,
        attributes: {},
      });
      const error = await refusal(h.approvals.approveAndExecute(p.approval.id, ALICE));
      expect(error.reason).toBe('stale');
      expect(h.calls('Subscribe')).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('concurrency', () => {
  test('50 concurrent approve-and-execute calls on one approval execute it once', async () => {
    const h = await startHarness(brokenScenario(['filter', 'alarm']));
    try {
      const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, BOB_SLACK);
      if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
      const settled = await Promise.allSettled(
        Array.from({ length: 50 }, () => h.approvals.approveAndExecute(p.approval.id, CAROL_SLACK)),
      );
      const ok = settled.filter((s) => s.status === 'fulfilled');
      const refused = settled
        .filter((s) => s.status === 'rejected')
        .map((s) => (s as PromiseRejectedResult).reason);
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(49);
      for (const r of refused) expect(r).toBeInstanceOf(RemediationRefused);
      expect(new Set(refused.map((r: RemediationRefused) => r.reason))).toEqual(new Set(['already-decided']));
      expect(h.calls('PutMetricAlarm')).toBe(1);
      expect(h.calls('PutMetricFilter')).toBe(1);
      expect((await h.approvals.get(p.approval.id))?.state).toBe('succeeded');
      const log = await h.store.listAuditLog({ approvalId: p.approval.id, limit: 500 });
      expect(log.filter((e) => e.kind === 'execution-started')).toHaveLength(1);
      expect(log.filter((e) => e.kind === 'approved')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  test('50 concurrent executions of one approved plan run it once', async () => {
    const h = await startHarness(brokenScenario(['alarm']));
    try {
      const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, BOB_SLACK);
      if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
      await h.approvals.decide(p.approval.id, CAROL_SLACK, 'approve');
      const settled = await Promise.allSettled(
        Array.from({ length: 50 }, () => h.approvals.execute(p.approval.id)),
      );
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      for (const s of settled)
        if (s.status === 'rejected') expect((s.reason as RemediationRefused).reason).toBe('already-decided');
      expect(h.calls('PutMetricAlarm')).toBe(1);
      expect((await h.approvals.get(p.approval.id))?.state).toBe('succeeded');
    } finally {
      await h.close();
    }
  });
});

describe('refusals run nothing', () => {
  test('self-approval on Slack, an unauthorized approver, a rejected and an expired request', async () => {
    let offsetMs = 0;
    const h = await startHarness(brokenScenario(['alarm']), configDoc(), {
      now: () => new Date(Date.now() + offsetMs),
    });
    try {
      const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, BOB_SLACK);
      if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
      expect((await refusal(h.approvals.approveAndExecute(p.approval.id, BOB_SLACK))).reason).toBe(
        'self-approval',
      );
      const mallory = { platform: 'slack' as const, userId: 'U0MALLORY' };
      expect((await refusal(h.approvals.approveAndExecute(p.approval.id, mallory))).reason).toBe('forbidden');
      expect(
        (await refusal(h.approvals.approveAndExecute(p.approval.id, { platform: 'cli', userId: 'mallory' })))
          .reason,
      ).toBe('forbidden');
      // Approved but not by this call: execute() of a request still waiting is refused too.
      expect((await refusal(h.approvals.execute(p.approval.id))).reason).toBe('forbidden');

      await h.approvals.decide(p.approval.id, CAROL_SLACK, 'reject');
      expect((await refusal(h.approvals.approveAndExecute(p.approval.id, CAROL_SLACK))).reason).toBe(
        'already-decided',
      );

      const q = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, BOB_SLACK);
      if (q.kind !== 'plan') throw new Error(`expected a plan, got ${q.kind}`);
      offsetMs = 2 * 60 * 60_000; // past the default 60-minute time-to-live
      expect((await refusal(h.approvals.approveAndExecute(q.approval.id, CAROL_SLACK))).reason).toBe(
        'expired',
      );

      for (const op of WRITES) expect(h.calls(op)).toBe(0);
      const refusedLog = await h.store.listAuditLog({ kinds: ['refused'], limit: 50 });
      expect(refusedLog.length).toBeGreaterThanOrEqual(4);
    } finally {
      await h.close();
    }
  });
});

describe('default_action: remediate', () => {
  test('runs without a person, approved and logged as cis-bot', async () => {
    const doc = configDoc({ controls: { '4.1': { default_action: 'remediate' } } });
    const h = await startHarness(brokenScenario(['filter', 'subscription']), doc);
    try {
      const run = await h.approvals.runAutomatically('remediation', { control: '4.1', accountId: ACCOUNT });
      if (!('executed' in run)) throw new Error(`expected an execution, got ${run.proposal.kind}`);
      const out = run.executed;
      expect(out.result.status).toBe('compliant');
      expect(out.approval.decidedBy).toMatchObject({ platform: 'system', userId: 'cis-bot' });
      const approved = await h.store.listAuditLog({ approvalId: out.approval.id, kinds: ['approved'] });
      expect(approved[0]?.detail).toMatchObject({ automatic: true });
      const again = await h.approvals.runAutomatically('remediation', { control: '4.1', accountId: ACCOUNT });
      expect(again).toMatchObject({ proposal: { kind: 'nothing-to-do' } });
    } finally {
      await h.close();
    }
  });

  test('is refused for a control left at notify', async () => {
    const h = await startHarness(brokenScenario(['alarm']));
    try {
      expect(
        (await refusal(h.approvals.runAutomatically('remediation', { control: '4.1', accountId: ACCOUNT })))
          .reason,
      ).toBe('forbidden');
      expect(h.calls('PutMetricAlarm')).toBe(0);
    } finally {
      await h.close();
    }
  });
});
