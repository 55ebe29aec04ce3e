/**
 * CIS section 4 in one pass, against the sandbox's generated organization (each member has the whole
 * compliant chain: 15 filters, 15 alarms sharing one topic, Security Hub): every control from ONE
 * collection per account, at most 1.5x the calls of 4.1 alone, each shared resource read once; the
 * region's alarms read per metric after all when the region holds more alarms than a shared read saves;
 * coverage decided once per distinct (filter, reference) whatever the number of accounts; 4.2 accepts a
 * filter of its SSO variant and says so; 4.16 checks every region a trail or the chain lives in.
 */
import { runAudit, runControlsAudit } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { getControl, getMetricFilterControl, selectControls } from '../../src/core/controls';
import { decisionCache } from '../../src/core/filter-pattern';
import type { AuditProgressEvent } from '../../src/core/ports/audit-progress';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';

const REGION = 'eu-west-2';
const MGMT = '999988887777';
const FIRST = 200000000000;
const member = (i: number) => String(FIRST + i);
const SECTION = selectControls(['4']);

function generated(accounts: number, regions = [REGION]): Scenario {
  return {
    organization: { management_account: MGMT, generate: { accounts, regions } },
    accounts: [{ id: MGMT, label: 'management' }],
  };
}

function sessionOf(sandbox: Sandbox): AwsSession {
  return new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(MGMT),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
}

/** `operation` names of the calls made in one account (STS aside), counted. */
function callsIn(sandbox: Sandbox, accountId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of sandbox.calls) {
    if (c.accountId !== accountId || c.service === 'sts') continue;
    out[c.operation] = (out[c.operation] ?? 0) + 1;
  }
  return out;
}

describe('a section in one pass (generated organization)', () => {
  let sandbox: Sandbox;
  let session: AwsSession;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: generated(6) });
    session = sessionOf(sandbox);
  });
  afterAll(async () => {
    session?.destroy();
    await sandbox?.close();
  });

  it('audits 16 controls per account from one collection, at most 1.5x the calls of 4.1 alone', async () => {
    sandbox.resetCalls();
    const one = await runAudit({
      control: getControl('4.1'),
      session,
      region: REGION,
      accounts: [member(0)],
    });
    expect(one.report.accounts[0]?.status).toBe('COMPLIANT');
    const alone = one.report.stats.apiCalls ?? 0;

    sandbox.resetCalls();
    const { report } = await runControlsAudit({
      controls: SECTION,
      session,
      region: REGION,
      accounts: [member(1)],
    });
    const [row] = report.accounts;
    expect(row?.controls.map((f) => `${f.control} ${f.status}`)).toEqual(
      SECTION.map((c) => `${c.id} COMPLIANT`),
    );
    const section = report.stats.apiCalls ?? 0;
    expect(section).toBeLessThanOrEqual(1.5 * alone);
    // Each shared resource once: the trail, its log group's filters, the region's alarms, the topic.
    expect(callsIn(sandbox, member(1))).toEqual({
      DescribeTrails: 1,
      GetTrailStatus: 1,
      GetEventSelectors: 1,
      DescribeMetricFilters: 1,
      DescribeAlarms: 1,
      ListSubscriptionsByTopic: 1,
      GetTopicAttributes: 1,
      DescribeHub: 1,
      GetEnabledStandards: 1,
    });
    expect(report.summary.controls['4.16']).toEqual({
      total: 1,
      compliant: 1,
      nonCompliant: 0,
      accepted: 0,
      error: 0,
    });
  });

  it('decides each distinct (filter, reference) once, whatever the number of accounts', async () => {
    await runControlsAudit({ controls: SECTION, session, region: REGION, accounts: [member(2)] });
    const before = decisionCache.stats().misses;
    const progress: AuditProgressEvent[] = [];
    const { report } = await runControlsAudit({
      controls: SECTION,
      session,
      region: REGION,
      accounts: [member(3), member(4), member(5)],
      concurrency: 2,
      progress: (e) => progress.push(e),
    });
    expect(report.summary).toMatchObject({ total: 3, compliant: 3 });
    expect(decisionCache.stats().misses).toBe(before);
    expect(progress.map((e) => e.done)).toEqual([0, 1, 2, 3]);
    expect(progress.at(-1)).toMatchObject({ total: 3, errors: 0, nonCompliant: 0 });
  });
});

describe('the shared alarm read', () => {
  const ACCOUNT = '111122223333';
  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:alarms`;
  const THREE = ['4.1', '4.3', '4.4'].map((id) => getMetricFilterControl(id));

  function busyRegion(extraAlarms: number): Scenario {
    return {
      accounts: [
        {
          id: ACCOUNT,
          regions: {
            [REGION]: {
              trails: [{ name: 'main', log_group: 'ct' }],
              log_groups: [
                {
                  name: 'ct',
                  metric_filters: THREE.map((c) => ({
                    name: c.defaults.filterName,
                    pattern: c.pattern,
                    metric_name: c.defaults.metricName,
                    metric_namespace: c.defaults.metricNamespace,
                  })),
                },
              ],
              alarms: [
                ...Array.from({ length: extraAlarms }, (_, i) => ({
                  name: `app-${String(i).padStart(4, '0')}`,
                  metric_name: `app_${i}`,
                  namespace: 'App',
                })),
                ...THREE.map((c) => ({
                  name: `zz-${c.defaults.alarmName}`,
                  metric_name: c.defaults.metricName,
                  namespace: c.defaults.metricNamespace,
                  alarm_actions: [topicArn],
                })),
              ],
              topics: [
                {
                  name: 'alarms',
                  subscriptions: [{ protocol: 'email', endpoint: 'sec@example.com', confirmed: true }],
                },
              ],
            },
          },
        },
      ],
    };
  }

  async function auditThree(extraAlarms: number) {
    const sandbox = await startSandbox({ scenario: busyRegion(extraAlarms) });
    const session = new AwsSession({
      region: REGION,
      credentials: sandbox.credentialsFor(ACCOUNT),
      clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
    });
    try {
      const { report } = await runControlsAudit({ controls: THREE, session, region: REGION });
      return { report, calls: callsIn(sandbox, ACCOUNT) };
    } finally {
      session.destroy();
      await sandbox.close();
    }
  }

  it('reads every page of the region when that saves calls (the good alarms last)', async () => {
    const { report, calls } = await auditThree(150);
    expect(report.accounts[0]?.controls.map((f) => f.status)).toEqual([
      'COMPLIANT',
      'COMPLIANT',
      'COMPLIANT',
    ]);
    expect(calls).toMatchObject({ DescribeAlarms: 2 });
    expect(calls.DescribeAlarmsForMetric).toBeUndefined();
  });

  it('reads per metric when the region holds more alarms than one shared read saves', async () => {
    const { report, calls } = await auditThree(250);
    expect(report.accounts[0]?.controls.map((f) => f.status)).toEqual([
      'COMPLIANT',
      'COMPLIANT',
      'COMPLIANT',
    ]);
    // Three metrics: at most two pages are worth it, then one call per metric.
    expect(calls).toMatchObject({ DescribeAlarms: 2, DescribeAlarmsForMetric: 3 });
  });
});

describe('4.2 accepts the SSO variant CIS offers', () => {
  const ACCOUNT = '111122223333';
  const c42 = getMetricFilterControl('4.2');
  const sso = c42.variants[0];

  it('passes a filter of exactly the SSO variant (NARROWER than the main pattern) and names it', async () => {
    if (!sso) throw new Error('4.2 has no variant');
    const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:alarms`;
    const sandbox = await startSandbox({
      scenario: {
        accounts: [
          {
            id: ACCOUNT,
            regions: {
              [REGION]: {
                trails: [{ name: 'main', log_group: 'ct' }],
                log_groups: [
                  {
                    name: 'ct',
                    metric_filters: [
                      {
                        name: 'sso-sign-in',
                        pattern: sso.pattern,
                        metric_name: 'm',
                        metric_namespace: 'CIS',
                      },
                    ],
                  },
                ],
                alarms: [{ name: 'a', metric_name: 'm', namespace: 'CIS', alarm_actions: [topicArn] }],
                topics: [
                  {
                    name: 'alarms',
                    subscriptions: [{ protocol: 'email', endpoint: 'x@example.com', confirmed: true }],
                  },
                ],
              },
            },
          },
        ],
      },
    });
    const session = new AwsSession({
      region: REGION,
      credentials: sandbox.credentialsFor(ACCOUNT),
      clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
    });
    try {
      const { report } = await runAudit({ control: c42, session, region: REGION });
      const finding = report.accounts[0];
      expect(finding?.status).toBe('COMPLIANT');
      const link = finding?.links.find((l) => l.link === 'metric-filter');
      expect(link?.detail).toBe(
        "Filter 'sso-sign-in' is equivalent to the CIS 4.2 (SSO variant) pattern; metric CIS/m.",
      );
      expect(link?.evidence).toMatchObject({ variant: 'SSO', reference: sso.pattern, verdict: 'EQUIVALENT' });
    } finally {
      session.destroy();
      await sandbox.close();
    }
  });
});

describe('4.16 in every region in use', () => {
  it('fails a region where a trail lives without Security Hub, and says why that region was checked', async () => {
    // The chain lives in eu-west-1 (the first generated region), the hub exists there and in eu-west-2;
    // us-east-1 holds neither. Auditing from us-east-1 checks it as the audit region, and eu-west-1
    // as the trail's home region.
    const sandbox = await startSandbox({ scenario: generated(1, ['eu-west-1', 'eu-west-2']) });
    const session = sessionOf(sandbox);
    try {
      const { report } = await runAudit({
        control: getControl('4.16'),
        session,
        region: 'us-east-1',
        accounts: [member(0)],
      });
      const f = report.accounts[0];
      expect(f).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'security-hub' });
      expect(f?.links.map((l) => [l.evidence.region, l.status, l.evidence.checkedBecause])).toEqual([
        ['us-east-1', 'fail', ['audit region']],
        [
          'eu-west-1',
          'pass',
          ['home region of trail cis-trail', 'log group cis/cloudtrail of trail cis-trail'],
        ],
      ]);
      expect(f?.reason).toContain(
        'aws securityhub enable-security-hub --region us-east-1 --enable-default-standards',
      );
      expect(f?.links[1]?.detail).toContain('standards: aws-foundational-security-best-practices/v/1.0.0');
    } finally {
      session.destroy();
      await sandbox.close();
    }
  });
});
