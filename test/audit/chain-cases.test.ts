/**
 * Every broken link of the CIS 4.1 chain, through the real AWS SDK v3 clients against the sandbox: the
 * right verdict AND the right reason, one account per case, all audited in one multi-account run from a
 * security account through AssumeRole. Plus the call pattern that proves the collector follows the chain.
 */
import { runAudit } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { getControl } from '../../src/core/controls';
import type { AccountFinding } from '../../src/core/evaluate';
import type { AuditOutcome } from '../../src/core/ports/auditor';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { CASES, casesScenario, ORG, REGION, SECURITY } from './fixtures';

const control = getControl('4.1');
let sandbox: Sandbox;
const sessions: AwsSession[] = [];

function session(options: { roleAccounts?: string[]; base?: string } = {}): AwsSession {
  const s = new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(options.base ?? SECURITY),
    ...(options.roleAccounts ? { roleAccounts: options.roleAccounts } : {}),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
  sessions.push(s);
  return s;
}

let outcome: AuditOutcome;
const byId = new Map<string, AccountFinding>();

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: casesScenario() });
  outcome = await runAudit({
    control,
    session: session(),
    region: REGION,
    accounts: CASES.map((c) => c.id),
    concurrency: 8,
  });
  for (const f of outcome.report.accounts) byId.set(f.accountId, f);
});

afterAll(async () => {
  for (const s of sessions) s.destroy();
  await sandbox.close();
});

describe('CIS 4.1 through the SDK against the sandbox', () => {
  it.each(CASES.map((c) => [c.label, c] as const))('%s', (_label, c) => {
    const f = byId.get(c.id);
    expect(f).toBeDefined();
    if (!f) return;
    expect({ status: f.status, link: f.brokenLink }).toEqual({ status: c.status, link: c.link });
    expect(f.reason).toMatch(c.reason);
    // The links end at the first failing one, and an error link always names its IAM action.
    const failIndex = f.links.findIndex((l) => l.status === 'fail');
    if (failIndex >= 0) expect(failIndex).toBe(f.links.length - 1);
    for (const l of f.links.filter((x) => x.status === 'error'))
      expect(l.action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    if (c.status === 'COMPLIANT')
      expect(f.links.map((l) => l.link)).toEqual([
        'trail',
        'logging',
        'management-events',
        'log-group',
        'metric-filter',
        'alarm',
        'topic',
        'subscription',
      ]);
  });

  it('keeps the report in the order asked and counts the verdicts', () => {
    expect(outcome.report.accounts.map((a) => a.accountId)).toEqual(CASES.map((c) => c.id));
    const s = outcome.report.summary;
    expect(s.total).toBe(CASES.length);
    expect(s.compliant).toBe(CASES.filter((c) => c.status === 'COMPLIANT').length);
    expect(s.error).toBe(CASES.filter((c) => c.status === 'ERROR').length);
    expect(outcome.snapshots).toHaveLength(CASES.length);
  });

  it('names the evidence of a passing chain: ARNs, pattern verdict, alarm settings, subscriber', () => {
    const f = byId.get(CASES[0]?.id ?? '') as AccountFinding;
    const id = f.accountId;
    expect(f.chain).toMatchObject({
      trailArn: `arn:aws:cloudtrail:${REGION}:${id}:trail/main`,
      logGroupArn: `arn:aws:logs:${REGION}:${id}:log-group:cloudtrail`,
      filterName: 'unauthorized_api_calls_metric',
      metric: {
        accountId: id,
        region: REGION,
        name: 'unauthorized_api_calls_metric',
        namespace: 'CISBenchmark',
      },
      alarmName: 'unauthorized_api_calls_alarm',
      topicArn: `arn:aws:sns:${REGION}:${id}:cis-alarms`,
    });
    const link = (name: string) => f.links.find((l) => l.link === name)?.evidence ?? {};
    expect(link('metric-filter')).toMatchObject({ verdict: 'EQUIVALENT' });
    expect(link('alarm')).toMatchObject({
      actionsEnabled: true,
      statistic: 'Sum',
      period: 300,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(link('topic')).toMatchObject({ policyAllowsCloudWatch: true });
    expect(link('subscription')).toMatchObject({
      confirmed: [{ protocol: 'email', endpoint: 'secops@example.com' }],
      pending: 0,
    });
  });

  it('shows the missed example event of a narrower filter', () => {
    const f = byId.get(CASES.find((c) => c.label === 'wrong filter (narrower)')?.id ?? '') as AccountFinding;
    const evidence = f.links.at(-1)?.evidence as {
      filters: Array<{ verdict: string; missedExample?: unknown }>;
    };
    expect(evidence.filters[0]?.verdict).toMatch(/NARROWER|OVERLAPPING/);
    expect(JSON.stringify(evidence.filters[0]?.missedExample)).toMatch(/AccessDenied/);
  });

  it('warns, without failing, on a broader filter and on a topic policy that shuts CloudWatch out', () => {
    const broader = byId.get(
      CASES.find((c) => c.label === 'broader filter (warns)')?.id ?? '',
    ) as AccountFinding;
    expect(broader.links.find((l) => l.link === 'metric-filter')).toMatchObject({
      status: 'warn',
      evidence: { verdict: 'BROADER' },
    });
    const policy = byId.get(
      CASES.find((c) => c.label.startsWith('topic policy'))?.id ?? '',
    ) as AccountFinding;
    expect(policy.links.find((l) => l.link === 'topic')).toMatchObject({
      status: 'warn',
      evidence: { policyAllowsCloudWatch: false },
    });
  });

  it('puts the dimensions a filter emits on the failing alarm link, and every alarm on the split metric', () => {
    const f = byId.get(
      CASES.find((c) => c.label.startsWith('filter emits a UserName dimension'))?.id ?? '',
    ) as AccountFinding;
    expect(f.links.at(-1)).toMatchObject({
      link: 'alarm',
      status: 'fail',
      evidence: {
        filterDimensions: { UserName: '$.userIdentity.userName' },
        alarms: [
          { alarmName: 'unauthorized_api_calls_alarm', dimensions: [{ name: 'UserName', value: 'alice' }] },
        ],
      },
    });
  });

  it('explains why an alarm can never fire, with its settings as evidence', () => {
    const f = byId.get(CASES.find((c) => c.label === 'alarm Sum >= 5')?.id ?? '') as AccountFinding;
    expect(f.links.at(-1)).toMatchObject({
      link: 'alarm',
      status: 'fail',
      evidence: { threshold: 5, statistic: 'Sum', metricValue: '1', firesOnOneEvent: 'never' },
    });
  });

  it('follows an organization trail into the management account for the log group, alarm and topic', () => {
    const f = byId.get(ORG.member) as AccountFinding;
    expect(f.chain).toMatchObject({
      trailArn: `arn:aws:cloudtrail:us-east-1:${ORG.management}:trail/org-trail`,
      logGroupAccountId: ORG.management,
      logGroupRegion: 'us-east-1',
      topicArn: `arn:aws:sns:us-east-1:${ORG.management}:cis-alarms`,
    });
    expect(f.links[0]?.detail).toMatch(/organization trail of account 100000000099/);
  });
});

describe('the collector follows the chain', () => {
  const opsOf = (account: string) =>
    sandbox.calls
      .filter((c) => c.accountId === account)
      .map((c) => `${c.region} ${c.operation}`)
      .sort();

  it('reads a compliant account with one call per link, all in the chain region', async () => {
    const id = CASES[0]?.id as string;
    sandbox.resetCalls();
    const out = await runAudit({ control, session: session(), region: REGION, accounts: [id] });
    expect(out.report.accounts[0]?.status).toBe('COMPLIANT');
    expect(opsOf(id)).toEqual(
      [
        'DescribeAlarmsForMetric',
        'DescribeMetricFilters',
        'DescribeTrails',
        'GetEventSelectors',
        'GetTopicAttributes',
        'GetTrailStatus',
        'ListSubscriptionsByTopic',
      ].map((op) => `${REGION} ${op}`),
    );
    expect(sandbox.calls.filter((c) => c.accountId === SECURITY).map((c) => c.operation)).toEqual([
      'AssumeRole',
    ]);
    expect(out.report.stats.apiCalls).toBe(8);
  });

  it('stops reading at a broken link: no trail means one DescribeTrails call and nothing else', async () => {
    const id = CASES.find((c) => c.label === 'no trail')?.id as string;
    sandbox.resetCalls();
    await runAudit({ control, session: session(), region: REGION, accounts: [id] });
    expect(opsOf(id)).toEqual([`${REGION} DescribeTrails`]);
  });

  it('lists trails in the audit region only and follows the chain into its home region', async () => {
    const id = CASES.find((c) => c.label === 'chain in another region than the audit')?.id as string;
    sandbox.resetCalls();
    const out = await runAudit({ control, session: session(), region: REGION, accounts: [id] });
    expect(out.report.accounts[0]?.status).toBe('COMPLIANT');
    const ops = opsOf(id);
    expect(ops.filter((o) => o.endsWith('DescribeTrails'))).toEqual([`${REGION} DescribeTrails`]);
    expect(ops.filter((o) => !o.endsWith('DescribeTrails')).every((o) => o.startsWith('us-east-1 '))).toBe(
      true,
    );
    expect(ops).toHaveLength(7);
  });

  it('reports an ERROR, not a pass, when the log group is in an account it has no role for', async () => {
    sandbox.resetCalls();
    const out = await runAudit({ control, session: session(), region: REGION, accounts: [ORG.member] });
    const f = out.report.accounts[0] as AccountFinding;
    expect(f.status).toBe('ERROR');
    expect(f.brokenLink).toBe('log-group');
    expect(f.reason).toMatch(/account 100000000099 is not among the accounts cis-bot can assume a role in/);
    expect(sandbox.calls.some((c) => c.accountId === ORG.management)).toBe(false);
  });

  it('audits the account of the current credentials by default (GetCallerIdentity beside DescribeTrails)', async () => {
    const id = CASES[0]?.id as string;
    sandbox.resetCalls();
    const out = await runAudit({ control, session: session({ base: id }), region: REGION });
    expect(out.report.accounts).toHaveLength(1);
    expect(out.report.accounts[0]).toMatchObject({ accountId: id, status: 'COMPLIANT' });
    expect(out.snapshots[0]?.access).toMatchObject({ ok: true, value: { via: 'current-credentials' } });
    expect(sandbox.calls.filter((c) => c.operation === 'GetCallerIdentity')).toHaveLength(1);
    expect(sandbox.calls.filter((c) => c.operation === 'AssumeRole')).toHaveLength(0);
  });

  it('records absence as state and AccessDenied as a probe error naming the IAM action', () => {
    const snap = outcome.snapshots.find(
      (s) => s.accountId === CASES.find((c) => c.label === 'AccessDenied on DescribeMetricFilters')?.id,
    );
    const lg = Object.values(snap?.logGroups ?? {})[0];
    expect(lg?.filters).toMatchObject({
      ok: false,
      error: { kind: 'access-denied', action: 'logs:DescribeMetricFilters' },
    });
    const deleted = outcome.snapshots.find(
      (s) => s.accountId === CASES.find((c) => c.label === 'log group deleted')?.id,
    );
    expect(Object.values(deleted?.logGroups ?? {})[0]?.filters).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
  });
});
