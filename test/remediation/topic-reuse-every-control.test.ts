/**
 * One topic-reuse rule for every chain control of the registry: in an account where another control's
 * bot-named alarm (4.1's, or 4.2's for 4.1) already notifies a topic with a confirmed subscriber, the plan
 * for a control whose metric filter is missing reuses that topic (metric filter and alarm only: no new
 * topic, no subscription) and is approvable, even with no remediation.subscription configured; before,
 * 4.2's plan created a topic nobody received and refused its own approval. Real planner, real sandbox.
 */
import { metricFilterControls } from '../../src/core/controls/registry';
import type { MetricFilterControl } from '../../src/core/controls/types';
import type { Scenario } from '../../src/sandbox';
import { ACCOUNT, configDoc, REGION, startHarness } from './helpers';

const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:security-alarms`;

/** `wired` is a whole chain (filter, its bot-named alarm, a topic with a confirmed email subscriber). */
function accountWith(wired: MetricFilterControl): Scenario {
  const d = wired.defaults;
  return {
    accounts: [
      {
        id: ACCOUNT,
        regions: {
          [REGION]: {
            trails: [{ name: 'main', log_group: 'ct-logs' }],
            log_groups: [
              {
                name: 'ct-logs',
                metric_filters: [
                  {
                    name: d.filterName,
                    pattern: wired.pattern,
                    metric_name: d.metricName,
                    metric_namespace: d.metricNamespace,
                  },
                ],
              },
            ],
            alarms: [
              {
                name: d.alarmName,
                metric_name: d.metricName,
                namespace: d.metricNamespace,
                alarm_actions: [TOPIC_ARN],
              },
            ],
            topics: [
              {
                name: 'security-alarms',
                subscriptions: [{ protocol: 'email', endpoint: 'secops@example.com', confirmed: true }],
              },
            ],
          },
        },
      },
    ],
  };
}

const chain = metricFilterControls();

test('the registry has several chain controls', () => {
  expect(chain.length).toBeGreaterThan(1);
});

test.each(chain.map((c) => [c.id, c] as const))(
  'CIS %s reuses the topic another control’s alarm notifies',
  async (_id, control) => {
    const wired = chain.find((c) => c.id !== control.id) as MetricFilterControl;
    // No remediation.subscription: a new topic would have nobody to notify.
    const h = await startHarness(accountWith(wired), configDoc({ remediation: {} }));
    try {
      const { finding, plan } = await h.assessor.assess(control.id, ACCOUNT);
      expect(finding.brokenLink).toBe('metric-filter');
      expect(plan.steps.map((s) => s.id)).toEqual(['metric-filter', 'alarm']);
      expect(plan.guidance.filter((g) => g.severity === 'blocker')).toEqual([]);
      expect(JSON.stringify(plan.steps[1])).toContain(TOPIC_ARN);
    } finally {
      await h.close();
    }
  },
);
