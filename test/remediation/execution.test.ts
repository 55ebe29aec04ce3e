/**
 * The executor through the workflow and on its own: a failure injected at each step stops there (named,
 * with the AWS code), and both a re-run of the same plan and a fresh plan finish with no duplicates; an
 * email subscription is reported as awaiting confirmation until its owner confirms; a same-named alarm
 * the plan did not expect is never overwritten.
 */

import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { createAwsRemediationRuntime } from '../../src/aws/executor';
import type { Plan } from '../../src/core/remediation';
import { remediationExecution } from '../../src/core/remediation';
import {
  ACCOUNT,
  ALARM,
  ALICE,
  brokenScenario,
  configDoc,
  REGION,
  startHarness,
  TOPIC,
  TOPIC_ARN,
} from './helpers';

const ALL = ['filter', 'alarm', 'topic'] as const; // the topic takes its subscription with it
const INJECT: Array<{ step: string; operation: string; code: string }> = [
  { step: 'metric-filter', operation: 'PutMetricFilter', code: 'LimitExceededException' },
  { step: 'topic', operation: 'CreateTopic', code: 'AuthorizationError' },
  { step: 'subscription', operation: 'Subscribe', code: 'SubscriptionLimitExceeded' },
  { step: 'alarm', operation: 'PutMetricAlarm', code: 'LimitExceeded' },
];
const WRITES = ['PutMetricFilter', 'CreateTopic', 'Subscribe', 'PutMetricAlarm'];

describe('a failure injected at each step', () => {
  for (const [k, inject] of INJECT.entries()) {
    test(`${inject.step}: stops there, then a re-run of the same plan finishes without duplicates`, async () => {
      const h = await startHarness(brokenScenario(ALL));
      try {
        const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
        if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
        expect(p.plan.steps.map((s) => s.id)).toEqual(['metric-filter', 'topic', 'subscription', 'alarm']);
        h.sandbox.failNext(inject.operation, inject.code);
        const events: string[] = [];
        const failed = await h.approvals.approveAndExecute(p.approval.id, ALICE, ({ event: e }) => {
          events.push(`${e.type}:${e.step.id}`);
        });
        const r = remediationExecution(failed).result;
        expect(r.status).toBe('failed');
        expect(r.failedStep).toMatchObject({ id: inject.step, errorCode: inject.code });
        expect(r.steps.map((s) => s.status)).toEqual([
          ...Array(k).fill('done'),
          'failed',
          ...Array(3 - k).fill('not-run'),
        ]);
        expect(r.reaudit).toMatchObject({ status: 'NON_COMPLIANT' });
        expect(failed.approval.state).toBe('failed');
        expect(events.at(-1)).toBe(`step-finished:${inject.step}`);

        // Re-run the very same plan: what was done is skipped, the rest is done once.
        const runtime = createAwsRemediationRuntime(h.session);
        const rerun = await runtime.execute(p.plan, {
          reaudit: async () => (await h.assessor.assess('4.1', ACCOUNT)).finding,
        });
        expect(rerun.status).toBe('compliant');
        expect(rerun.steps.map((s) => s.status)).toEqual([
          ...Array(k).fill('skipped'),
          ...Array(4 - k).fill('done'),
        ]);
        expect(h.counts()).toEqual({ filters: 1, alarms: 1, topics: 1, subscriptions: 1 });
        for (const op of WRITES) expect(h.calls(op)).toBe(1);
      } finally {
        await h.close();
      }
    });

    test(`${inject.step}: a fresh plan after the failure holds only the remaining steps and reaches COMPLIANT`, async () => {
      const h = await startHarness(brokenScenario(ALL));
      try {
        const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
        if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
        h.sandbox.failNext(inject.operation, inject.code);
        await h.approvals.approveAndExecute(p.approval.id, ALICE);
        const again = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
        if (again.kind !== 'plan') throw new Error(`expected a plan, got ${again.kind}`);
        const remaining = p.plan.steps.slice(k).map((s) => s.id);
        // CreateTopic is idempotent and re-planned only while the topic is absent.
        expect(again.plan.steps.map((s) => s.id)).toEqual(remaining);
        const done = remediationExecution(await h.approvals.approveAndExecute(again.approval.id, ALICE));
        expect(done.result.status).toBe('compliant');
        expect(h.counts()).toEqual({ filters: 1, alarms: 1, topics: 1, subscriptions: 1 });
        for (const op of WRITES) expect(h.calls(op)).toBe(1);
      } finally {
        await h.close();
      }
    });
  }
});

describe('subscriptions that need confirmation', () => {
  test('an email subscription is awaiting confirmation, then the next audit sees it confirmed', async () => {
    const email = 'security@example.com';
    const doc = configDoc({ remediation: { subscription: { protocol: 'email', endpoint: email } } });
    const h = await startHarness(brokenScenario(['subscription']), doc);
    try {
      const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
      if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
      expect(p.plan.steps.map((s) => s.id)).toEqual(['subscription']);
      const o = remediationExecution(await h.approvals.approveAndExecute(p.approval.id, ALICE));
      expect(o.result.status).toBe('awaiting-confirmation');
      expect(o.result.awaitingConfirmation).toEqual([
        { topicArn: TOPIC_ARN, protocol: 'email', endpoint: email },
      ]);
      expect(o.result.reaudit).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'subscription' });

      // Asking again subscribes nobody twice: the plan only says who must confirm.
      const again = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
      expect(again.kind).toBe('guidance-only');
      expect(again.plan.guidance.map((g) => g.severity)).toContain('awaiting-confirmation');
      expect(h.counts().subscriptions).toBe(1);

      h.sandbox.confirmSubscription(TOPIC_ARN, email);
      const later = await h.assessor.assess('4.1', ACCOUNT);
      expect(later.finding.status).toBe('COMPLIANT');
    } finally {
      await h.close();
    }
  });

  test('without remediation.subscription the plan says to configure one', async () => {
    const doc = configDoc({ remediation: {} });
    const h = await startHarness(brokenScenario(['subscription']), doc);
    try {
      const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
      expect(p.kind).toBe('guidance-only');
      const g = p.plan.guidance.find((x) => x.link === 'subscription');
      expect(g?.severity).toBe('blocker');
      expect(g?.title).toContain('remediation.subscription');
    } finally {
      await h.close();
    }
  });
});

describe('never overwrites what the plan did not expect', () => {
  test('a same-named alarm with other settings that appears after planning fails the step as a Conflict', async () => {
    const h = await startHarness(brokenScenario(['alarm']));
    try {
      const { plan } = await h.assessor.assess('4.1', ACCOUNT);
      expect(plan.steps.map((s) => s.id)).toEqual(['alarm']);
      // Someone creates an alarm of that name, on another metric, between planning and execution.
      const foreign = {
        AlarmName: ALARM,
        MetricName: 'other',
        Namespace: 'Elsewhere',
        Statistic: 'Sum' as const,
        Period: 60,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold' as const,
        EvaluationPeriods: 1,
        ActionsEnabled: true,
        AlarmActions: [] as string[],
      };
      const cw = new CloudWatchClient({
        endpoint: h.sandbox.endpoint,
        region: REGION,
        credentials: h.sandbox.credentialsFor(ACCOUNT),
      });
      await cw.send(new PutMetricAlarmCommand(foreign));
      cw.destroy();
      const result = await createAwsRemediationRuntime(h.session).execute(plan as Plan, {
        reaudit: async () => (await h.assessor.assess('4.1', ACCOUNT)).finding,
      });
      expect(result.status).toBe('failed');
      expect(result.failedStep).toMatchObject({ id: 'alarm', errorCode: 'Conflict' });
      expect(result.failedStep?.message).toContain('not overwritten');
      const alarm = h.sandbox.state.region(ACCOUNT, REGION).alarms.get(ALARM);
      expect(alarm?.Namespace).toBe('Elsewhere');
      expect(h.calls('PutMetricAlarm')).toBe(1); // the foreign one only
    } finally {
      await h.close();
    }
  });

  test('the topic the bot creates keeps the default policy, which lets same-account CloudWatch publish', async () => {
    const h = await startHarness(brokenScenario(['topic']));
    try {
      const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
      if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
      await h.approvals.approveAndExecute(p.approval.id, ALICE);
      const { finding } = await h.assessor.assess('4.1', ACCOUNT);
      const topicLink = finding.links.find((l) => l.link === 'topic');
      expect(topicLink?.status).toBe('pass');
      expect(topicLink?.evidence.policyAllowsCloudWatch).toBe(true);
      expect(h.sandbox.state.region(ACCOUNT, REGION).topics.has(TOPIC)).toBe(true);
    } finally {
      await h.close();
    }
  });
});
