/**
 * The planner on its own (pure: hand-built snapshots through the real evaluation) and the guidance it
 * gives for links the bot does not repair (through the sandbox): organization chains are repaired in
 * the log group's own account, hashes are stable and change with what would be done, CLI lines follow
 * the CIS text, and trail links or unreadable links produce guidance, never steps.
 */
import type { RemediationConfig } from '../../src/config/schema';
import { remediationSchema } from '../../src/config/schema';
import { getMetricFilterControl, metricFilterControls } from '../../src/core/controls/registry';
import { evaluate } from '../../src/core/evaluate/evaluate';
import {
  canonicalJson,
  planRemediation,
  remediationFactsRequest,
  shellQuote,
} from '../../src/core/remediation';
import { type AccountSnapshot, probeOk } from '../../src/core/snapshot';
import type { Scenario } from '../../src/sandbox';
import { ACCOUNT, ALICE, compliantRegion, scenarioWith, startHarness } from './helpers';

const otherBotAlarms = metricFilterControls()
  .filter((c) => c.id !== '4.1')
  .map((c) => c.defaults.alarmName);

const control = getMetricFilterControl('4.1');
const MGMT = '999988887777';
const MEMBER = '111122223333';

function settings(input: Record<string, unknown> = {}): RemediationConfig {
  return remediationSchema.parse({
    subscription: { protocol: 'email', endpoint: 'sec@example.com' },
    ...input,
  });
}

/** A member account whose only chain is the organization trail into the management account's log group. */
function orgSnapshot(): AccountSnapshot {
  const lgArn = `arn:aws:logs:us-east-1:${MGMT}:log-group:org-cloudtrail`;
  return {
    accountId: MEMBER,
    auditRegion: 'us-east-1',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:01.000Z',
    access: probeOk({ via: 'current-credentials' }),
    trails: probeOk([
      {
        trail: {
          name: 'org-trail',
          arn: `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org-trail`,
          homeRegion: 'us-east-1',
          ownerAccountId: MGMT,
          isMultiRegion: true,
          isOrganizationTrail: true,
          logGroupArn: `${lgArn}:*`,
        },
        status: probeOk({ isLogging: true }),
        selectors: probeOk({
          basic: [
            {
              readWriteType: 'All',
              includeManagementEvents: true,
              excludeManagementEventSources: [],
              dataResources: [],
            },
          ],
          advanced: [],
        }),
      },
    ]),
    logGroups: {
      [lgArn]: {
        ref: { arn: lgArn, accountId: MGMT, region: 'us-east-1', name: 'org-cloudtrail', partition: 'aws' },
        filters: probeOk([]),
      },
    },
    metricAlarms: {},
    topics: {},
    apiCalls: 0,
  };
}

describe('planRemediation (pure)', () => {
  test.each(metricFilterControls().map((c) => [c.id, c] as const))(
    '%s: the filter it creates carries the CIS pattern of the record byte for byte',
    (_id, c) => {
      const snap = orgSnapshot();
      const plan = planRemediation(evaluate(c, snap), snap, c, settings());
      const step = plan.steps[0];
      expect(step?.call.input).toMatchObject({ filterName: c.defaults.filterName, filterPattern: c.pattern });
      expect(step?.cli).toContain(`--filter-pattern ${shellQuote(c.pattern, true)}`);
    },
  );

  test('4.7 is written as the CIS text spaces it (the old second catalogue re-spaced it)', () => {
    // CIS-4.md's 4.7, verbatim. The same meaning re-spaced would be another PutMetricFilter text and plan hash.
    const cis47 =
      '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }';
    const c = getMetricFilterControl('4.7');
    const snap = orgSnapshot();
    const plan = planRemediation(evaluate(c, snap), snap, c, settings());
    expect(plan.steps[0]?.call.input).toMatchObject({ filterPattern: cis47 });
  });

  test('an organization chain is repaired in the log group own account and region', () => {
    const snap = orgSnapshot();
    const finding = evaluate(control, snap);
    expect(finding.brokenLink).toBe('metric-filter');
    const plan = planRemediation(finding, snap, control, settings());
    expect(plan.accountId).toBe(MEMBER);
    expect(plan.target).toMatchObject({
      accountId: MGMT,
      region: 'us-east-1',
      logGroupName: 'org-cloudtrail',
    });
    expect(plan.target.topicArn).toBe(`arn:aws:sns:us-east-1:${MGMT}:cis-security-alarms`);
    expect(plan.steps.map((s) => s.id)).toEqual(['metric-filter', 'topic', 'subscription', 'alarm']);
    expect(plan.steps.map((s) => s.iamAction)).toEqual([
      'logs:PutMetricFilter',
      'sns:CreateTopic',
      'sns:Subscribe',
      'cloudwatch:PutMetricAlarm',
    ]);
    expect(remediationFactsRequest(finding, snap, control, settings())).toEqual({
      accountId: MGMT,
      region: 'us-east-1',
      // The bot's alarm first, then every other chain control's bot-named alarm (topics worth reusing).
      alarmNames: ['unauthorized_api_calls_alarm', ...otherBotAlarms],
      topicArns: [`arn:aws:sns:us-east-1:${MGMT}:cis-security-alarms`],
      // Nothing reusable in the snapshot, no topic_arn: the bot-named alarm's topics are read too.
      alarmTopicsOf: ['unauthorized_api_calls_alarm', ...otherBotAlarms],
    });
    const configured = settings({ topic_arn: `arn:aws:sns:us-east-1:${MGMT}:mine` });
    expect(remediationFactsRequest(finding, snap, control, configured)?.alarmTopicsOf).toBeUndefined();
  });

  test('the hash is stable and changes with what would be done', () => {
    const snap = orgSnapshot();
    const finding = evaluate(control, snap);
    const a = planRemediation(finding, snap, control, settings());
    const b = planRemediation(structuredClone(finding), structuredClone(snap), control, settings());
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    const other = planRemediation(
      finding,
      snap,
      control,
      settings({ subscription: { protocol: 'email', endpoint: 'other@example.com' } }),
    );
    expect(other.hash).not.toBe(a.hash);
    const renamed = planRemediation(
      finding,
      snap,
      control,
      settings({ overrides: { '4.1': { alarm_name: 'cis-4.1-alarm' } } }),
    );
    expect(renamed.hash).not.toBe(a.hash);
    expect(renamed.steps.find((s) => s.id === 'alarm')?.cli).toContain('--alarm-name cis-4.1-alarm');
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
  });

  test('overrides name the filter, metric, namespace and alarm; the API call and CLI line agree', () => {
    const snap = orgSnapshot();
    const finding = evaluate(control, snap);
    const plan = planRemediation(
      finding,
      snap,
      control,
      settings({
        overrides: {
          '4.1': {
            filter_name: 'UnauthorizedAPICalls',
            metric_name: 'UnauthorizedAPICalls',
            metric_namespace: 'Security',
          },
        },
      }),
    );
    const filter = plan.steps[0];
    expect(filter?.call).toEqual({
      service: 'logs',
      operation: 'PutMetricFilter',
      input: {
        logGroupName: 'org-cloudtrail',
        filterName: 'UnauthorizedAPICalls',
        filterPattern: control.pattern,
        metricTransformations: [
          { metricName: 'UnauthorizedAPICalls', metricNamespace: 'Security', metricValue: '1' },
        ],
      },
    });
    expect(filter?.cli).toBe(
      `aws logs put-metric-filter --log-group-name org-cloudtrail --filter-name UnauthorizedAPICalls --metric-transformations metricName=UnauthorizedAPICalls,metricNamespace=Security,metricValue=1 --filter-pattern '${control.pattern}' --region us-east-1`,
    );
    const alarm = plan.steps.find((s) => s.id === 'alarm');
    expect(alarm?.call.input).toMatchObject({
      MetricName: 'UnauthorizedAPICalls',
      Namespace: 'Security',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
    });
  });

  test('shell quoting is POSIX', () => {
    expect(shellQuote('plain-name_1')).toBe('plain-name_1');
    expect(shellQuote("it's here")).toBe("'it'\\''s here'");
    expect(shellQuote('{ $.a = 1 }', true)).toBe("'{ $.a = 1 }'");
  });
});

type Region = ReturnType<typeof compliantRegion>;

async function guidanceFor(scenario: Scenario) {
  const h = await startHarness(scenario);
  try {
    const p = await h.approvals.propose('remediation', { control: '4.1', accountId: ACCOUNT }, ALICE);
    expect(p.kind).toBe('guidance-only');
    expect(p.plan.steps).toEqual([]);
    return p.plan.guidance;
  } finally {
    await h.close();
  }
}

function withTrail(change: (t: NonNullable<Region['trails']>[number]) => void): Scenario {
  const region = compliantRegion();
  const trail = region.trails?.[0];
  if (trail) change(trail);
  return scenarioWith(region);
}

describe('links cis-bot does not repair produce guidance, not steps', () => {
  test('trail not logging', async () => {
    const [g] = await guidanceFor(
      withTrail((t) => {
        t.logging = false;
      }),
    );
    expect(g).toMatchObject({
      link: 'logging',
      severity: 'blocker',
      cli: 'aws cloudtrail start-logging --name main --region eu-west-2',
    });
  });

  test('no multi-region trail', async () => {
    const [g] = await guidanceFor(
      withTrail((t) => {
        t.multi_region = false;
      }),
    );
    expect(g).toMatchObject({ link: 'trail', severity: 'blocker', iamAction: 'cloudtrail:UpdateTrail' });
  });

  test('management events not all recorded', async () => {
    const [g] = await guidanceFor(
      withTrail((t) => {
        t.event_selectors = [{ read_write_type: 'WriteOnly', include_management_events: true }];
      }),
    );
    expect(g).toMatchObject({
      link: 'management-events',
      severity: 'blocker',
      iamAction: 'cloudtrail:PutEventSelectors',
    });
  });

  test('trail without CloudWatch Logs', async () => {
    const [g] = await guidanceFor(
      withTrail((t) => {
        delete t.log_group;
      }),
    );
    expect(g).toMatchObject({ link: 'log-group', severity: 'blocker' });
    expect(g?.cli).toContain('--cloud-watch-logs-log-group-arn');
  });

  test('AccessDenied on a read: ERROR, guidance naming the action', async () => {
    const scenario = scenarioWith(compliantRegion());
    const account = scenario.accounts[0];
    if (account) account.denied_actions = ['logs:DescribeMetricFilters'];
    const [g] = await guidanceFor(scenario);
    expect(g).toMatchObject({
      severity: 'blocker',
      iamAction: 'logs:DescribeMetricFilters',
      title: "Grant logs:DescribeMetricFilters to cis-bot's role",
    });
  });
});
