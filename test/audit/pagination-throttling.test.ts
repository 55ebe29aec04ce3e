/**
 * Scale and weather: every page of every paginated call is read (over 100 metric filters on the log
 * group, over 100 alarms on the metric, over 100 subscriptions on the topic, the good one last each
 * time), and 30% throttling (seeded) gives the same verdicts as a calm sandbox, with the SDK's own
 * retries made fast by an injected retry strategy.
 */
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { runAudit } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { getControl } from '../../src/core/controls';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { CASES, CIS_41, casesScenario, REGION, SECURITY } from './fixtures';

const control = getControl('4.1');
const BIG = '200000000001';
const N = 120;
const pad = (i: number) => String(i).padStart(3, '0');

function bigScenario(): Scenario {
  const topicArn = `arn:aws:sns:${REGION}:${BIG}:cis-alarms`;
  return {
    accounts: [
      { id: SECURITY, label: 'security' },
      {
        id: BIG,
        label: 'busy',
        roles: [{ name: 'CisBotAudit' }],
        regions: {
          [REGION]: {
            trails: [{ name: 'main', log_group: 'cloudtrail' }],
            log_groups: [
              {
                name: 'cloudtrail',
                metric_filters: [
                  ...Array.from({ length: N - 1 }, (_, i) => ({
                    name: `app-${pad(i)}`,
                    pattern: `{ $.eventName = "App${pad(i)}" }`,
                    metric_name: `app_${pad(i)}`,
                    metric_namespace: 'App',
                  })),
                  {
                    name: 'zz-cis',
                    pattern: CIS_41,
                    metric_name: 'unauthorized_api_calls_metric',
                    metric_namespace: 'CISBenchmark',
                  },
                ],
              },
            ],
            alarms: [
              ...Array.from({ length: N - 1 }, (_, i) => ({
                name: `muted-${pad(i)}`,
                metric_name: 'unauthorized_api_calls_metric',
                namespace: 'CISBenchmark',
                actions_enabled: false,
                alarm_actions: [topicArn],
              })),
              {
                name: 'zz-alarm',
                metric_name: 'unauthorized_api_calls_metric',
                namespace: 'CISBenchmark',
                alarm_actions: [topicArn],
              },
            ],
            topics: [
              {
                name: 'cis-alarms',
                subscriptions: [
                  ...Array.from({ length: N - 1 }, (_, i) => ({
                    protocol: 'email' as const,
                    endpoint: `p${pad(i)}@example.com`,
                    confirmed: false,
                  })),
                  { protocol: 'email' as const, endpoint: 'zz-oncall@example.com', confirmed: true },
                ],
              },
            ],
          },
        },
      },
    ],
  };
}

const sandboxes: Sandbox[] = [];
const sessions: AwsSession[] = [];

function sessionFor(sandbox: Sandbox, retries?: number): AwsSession {
  const s = new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(SECURITY),
    clientConfig: {
      endpoint: sandbox.endpoint,
      // Fast retries: 10 attempts 2 ms apart instead of the SDK's jittered backoff (1 s base for throttling).
      ...(retries ? { retryStrategy: new ConfiguredRetryStrategy(retries, () => 2) } : { maxAttempts: 1 }),
    },
  });
  sessions.push(s);
  return s;
}

afterAll(async () => {
  for (const s of sessions) s.destroy();
  for (const s of sandboxes) await s.close();
});

describe('pagination', () => {
  it('reads every page and finds the one good filter, alarm and subscriber at the end', async () => {
    const sandbox = await startSandbox({ scenario: bigScenario() });
    sandboxes.push(sandbox);
    const out = await runAudit({ control, session: sessionFor(sandbox), region: REGION, accounts: [BIG] });
    const f = out.report.accounts[0];
    expect(f).toMatchObject({ status: 'COMPLIANT', chain: { filterName: 'zz-cis', alarmName: 'zz-alarm' } });
    expect(f?.links.at(-1)?.evidence).toMatchObject({
      pending: N - 1,
      confirmed: [{ endpoint: 'zz-oncall@example.com' }],
    });
    const count = (op: string) => sandbox.calls.filter((c) => c.operation === op).length;
    expect(count('DescribeMetricFilters')).toBe(Math.ceil(N / 50));
    expect(count('ListSubscriptionsByTopic')).toBe(2);
    // Only the CIS filter's metric has its alarms read: the 119 other metrics are not the chain.
    expect(count('DescribeAlarmsForMetric')).toBe(1);
    const snap = out.snapshots[0];
    const filters = Object.values(snap?.logGroups ?? {})[0]?.filters;
    expect(filters?.ok && filters.value.length).toBe(N);
    const alarms = Object.values(snap?.metricAlarms ?? {})[0]?.alarms;
    expect(alarms?.ok && alarms.value.length).toBe(N);
    expect(f?.candidates).toBe(N);
  });
});

describe('30% throttling', () => {
  it('gives the same verdicts and reasons as a calm sandbox', async () => {
    const sandbox = await startSandbox({ scenario: casesScenario(), throttleRate: 0.3, seed: 4242 });
    sandboxes.push(sandbox);
    const out = await runAudit({
      control,
      session: sessionFor(sandbox, 10),
      region: REGION,
      accounts: CASES.map((c) => c.id),
      concurrency: 8,
    });
    const throttled = sandbox.calls.filter((c) => c.status >= 400 && /Throttl/i.test(c.errorCode ?? ''));
    expect(throttled.length).toBeGreaterThan(20);
    for (const c of CASES) {
      const f = out.report.accounts.find((a) => a.accountId === c.id);
      expect({ label: c.label, status: f?.status, link: f?.brokenLink }).toEqual({
        label: c.label,
        status: c.status,
        link: c.link,
      });
      expect(f?.reason).toMatch(c.reason);
    }
  });
});
