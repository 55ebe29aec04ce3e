/**
 * Reuse what exists: when the chain's alarm already notifies a topic (same account and region) with a
 * confirmed subscriber, the bot's alarm notifies that topic: no new topic, no subscription, and the
 * re-audit is COMPLIANT at once. A topic with only pending subscribers is not reused, and a configured
 * remediation.topic_arn stays the operator's explicit choice.
 */
import { remediationExecution } from '../../src/core/remediation';
import {
  ACCOUNT,
  ALARM,
  ALICE,
  CIS_PATTERN,
  configDoc,
  REGION,
  scenarioWith,
  startHarness,
  TOPIC_ARN,
} from './helpers';

const EXISTING = 'cis-alarms';
const EXISTING_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${EXISTING}`;

/** The reviewer's repro: alarm `a` has its actions disabled and notifies `cis-alarms`, confirmed subscriber. */
function disabledAlarmRegion(confirmed: boolean) {
  return {
    trails: [{ name: 'main', log_group: 'ct' }],
    log_groups: [
      {
        name: 'ct',
        metric_filters: [
          { name: 'f', pattern: CIS_PATTERN, metric_name: 'm', metric_namespace: 'CISBenchmark' },
        ],
      },
    ],
    alarms: [
      {
        name: 'a',
        metric_name: 'm',
        namespace: 'CISBenchmark',
        alarm_actions: [EXISTING_ARN],
        actions_enabled: false,
      },
    ],
    topics: [
      {
        name: EXISTING,
        subscriptions: [{ protocol: 'email' as const, endpoint: 'x@example.com', confirmed }],
      },
    ],
  };
}

describe('a topic with a confirmed subscriber is reused for the bot alarm', () => {
  const configs: Array<[string, Record<string, unknown>]> = [
    ['without remediation.subscription', configDoc({ remediation: {} })],
    [
      'with remediation.subscription',
      configDoc({ remediation: { subscription: { protocol: 'email', endpoint: 'sec@example.com' } } }),
    ],
  ];
  for (const [label, doc] of configs) {
    test(label, async () => {
      const h = await startHarness(scenarioWith(disabledAlarmRegion(true)), doc);
      try {
        const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
        if (p.kind !== 'plan') throw new Error(`expected a plan, got ${p.kind}`);
        expect(p.plan.target.topicArn).toBe(EXISTING_ARN);
        expect(p.plan.steps.map((s) => s.id)).toEqual(['alarm']);
        expect(p.plan.steps[0]?.call.input).toMatchObject({ AlarmName: ALARM, AlarmActions: [EXISTING_ARN] });
        expect(p.plan.guidance.filter((g) => g.severity === 'blocker')).toEqual([]);
        const o = remediationExecution(await h.approvals.approveAndExecute(p.approval.id, ALICE));
        expect(o.result.status).toBe('compliant');
        expect(o.result.reaudit).toMatchObject({ status: 'COMPLIANT' });
        expect(h.counts()).toEqual({ filters: 1, alarms: 2, topics: 1, subscriptions: 1 });
        expect(h.calls('CreateTopic')).toBe(0);
        expect(h.calls('Subscribe')).toBe(0);
      } finally {
        await h.close();
      }
    });
  }

  test('a topic whose only subscriber is pending is not reused', async () => {
    const doc = configDoc({
      remediation: { subscription: { protocol: 'sqs', endpoint: 'arn:aws:sqs:eu-west-2:111122223333:q' } },
    });
    const h = await startHarness(scenarioWith(disabledAlarmRegion(false)), doc);
    try {
      const { plan } = await h.assessor.assess('4.1', ACCOUNT);
      expect(plan.target.topicArn).toBe(TOPIC_ARN);
      expect(plan.steps.map((s) => s.id)).toEqual(['topic', 'subscription', 'alarm']);
    } finally {
      await h.close();
    }
  });

  test('a configured remediation.topic_arn is used as configured', async () => {
    const configured = `arn:aws:sns:${REGION}:${ACCOUNT}:security-alerts`;
    const doc = configDoc({ remediation: { topic_arn: configured } });
    const h = await startHarness(scenarioWith(disabledAlarmRegion(true)), doc);
    try {
      const { plan } = await h.assessor.assess('4.1', ACCOUNT);
      expect(plan.target.topicArn).toBe(configured);
      expect(plan.steps.map((s) => s.id)).toContain('topic');
    } finally {
      await h.close();
    }
  });
});
