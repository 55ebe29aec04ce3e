/**
 * A named deviation means exactly "treat this metric filter as covering the control" (issue 14): the
 * audit then checks the rest of the chain through that filter (alarm on its metric, the alarm's topic,
 * confirmed subscribers, the topic's KMS key) like any other, so the control is ACCEPTED only when that
 * chain otherwise holds, and a break further down stays NON_COMPLIANT at that link, its reason naming the
 * exception. A changed filter lapses the deviation as before; a blanket exception keeps its meaning.
 *
 * The real wiring (createCoreServices: the auditor with exceptions, the raw one for the planner and the
 * exception kind), real SDK clients against the sandbox through AssumeRole, a real SQLite store, and
 * exceptions granted through the approval workflow (requested by alice, approved by bob).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAwsAuditor } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import { getMetricFilterControl } from '../../src/core/controls';
import type { AccountFinding } from '../../src/core/evaluate';
import { withExceptions } from '../../src/core/exceptions/apply';
import type { ExceptionProposal } from '../../src/core/exceptions/exception-kind';
import type { Actor } from '../../src/core/ports/chat';
import type { ExceptionRecord } from '../../src/core/ports/store';
import { reportRun } from '../../src/core/report/results';
import { renderSarif } from '../../src/core/report/sarif';
import { type CoreServices, createCoreServices } from '../../src/runtime';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { openStore, type SqliteStore } from '../../src/store';
import { chainAccount, REGION, SECURITY } from './fixtures';

/** Misses EC2's "*UnauthorizedOperation" (and catches the AccessDenied CIS 4.1 excludes): OVERLAPPING. */
const NARROW = '{ $.errorCode = "AccessDenied*" }';
const CIS_43 = getMetricFilterControl('4.3');

const INTACT = '200000000001';
const NO_ALARM = '200000000002';
const CHANGED = '200000000003';
const BLANKET = '200000000004';
const UNCONFIRMED = '200000000005';
const MANAGED_KEY = '200000000006';
const ALARMS_DENIED = '200000000007';
const ACCOUNTS = [INTACT, NO_ALARM, CHANGED, BLANKET, UNCONFIRMED, MANAGED_KEY, ALARMS_DENIED];

const ALICE: Actor = { platform: 'cli', userId: 'alice' };
const BOB: Actor = { platform: 'cli', userId: 'bob' };
const UNTIL = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);

let sandbox: Sandbox;
let session: AwsSession;
let store: SqliteStore;
let services: CoreServices;
let dir: string;
const granted = new Map<string, ExceptionRecord>();

function scenario() {
  const narrow = { filterPattern: NARROW };
  // The intact account also monitors CIS 4.3, so a section audit reads the region's alarms once.
  const intact = chainAccount(INTACT, 'intact', {
    ...narrow,
    extraAlarms: [
      {
        name: 'root_usage_alarm',
        metric_name: 'root_usage_metric',
        namespace: 'CISBenchmark',
        alarm_actions: [`arn:aws:sns:${REGION}:${INTACT}:cis-alarms`],
      },
    ],
  });
  const group = intact.regions?.[REGION]?.log_groups?.[0];
  // Named to sort after the 4.1 filter: equally close to 4.1, it would otherwise be the filter named.
  group?.metric_filters?.push({
    name: 'z_root_usage_metric',
    pattern: CIS_43.pattern,
    metric_name: 'root_usage_metric',
    metric_namespace: 'CISBenchmark',
  });
  return {
    accounts: [
      { id: SECURITY, label: 'security' },
      intact,
      chainAccount(NO_ALARM, 'no alarm', { ...narrow, alarm: null }),
      chainAccount(CHANGED, 'filter changed', narrow),
      chainAccount(BLANKET, 'blanket', { ...narrow, alarm: null }),
      chainAccount(UNCONFIRMED, 'unconfirmed', {
        ...narrow,
        topic: { subscriptions: [{ protocol: 'email', endpoint: 'x@example.com', confirmed: false }] },
      }),
      chainAccount(MANAGED_KEY, 'managed key', { ...narrow, topic: { kms_master_key_id: 'alias/aws/sns' } }),
      chainAccount(ALARMS_DENIED, 'alarms denied', {
        ...narrow,
        deniedActions: ['cloudwatch:DescribeAlarmsForMetric', 'cloudwatch:DescribeAlarms'],
      }),
    ],
  };
}

function configFor(confirmPatterns = false) {
  return loadConfig({
    document: {
      aws: { region: REGION, accounts: ACCOUNTS, confirm_patterns: confirmPatterns },
      approvals: { cli: { users: ['alice', 'bob'], require_distinct_approver: true } },
    },
    env: {},
  });
}

/** An exception requested by alice and approved by bob through the one approval workflow. */
async function grant(accountId: string, deviation: boolean): Promise<ExceptionRecord> {
  const proposal = (await services.approvals.propose(
    'exception',
    { control: '4.1', accountId, reason: `accepted for ${accountId}`, until: UNTIL, deviation },
    ALICE,
    { platform: 'cli', id: 'cli' },
  )) as ExceptionProposal;
  const executed = await services.approvals.approveAndExecute(proposal.approval.id, BOB);
  if (executed.kind !== 'exception') throw new Error(`expected an exception, got ${executed.kind}`);
  return executed.exception;
}

async function audit41(accountId: string): Promise<AccountFinding> {
  const { report } = await services.auditor.audit({ control: '4.1', accounts: [accountId] });
  const [finding] = report.accounts;
  if (!finding) throw new Error(`no finding for ${accountId}`);
  return finding;
}

const linkOf = (f: AccountFinding, name: string) => f.links.find((l) => l.link === name);

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: scenario() });
  session = new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(SECURITY),
    roleAccounts: ACCOUNTS,
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
  dir = mkdtempSync(join(tmpdir(), 'cis-bot-deviation-'));
  store = openStore(join(dir, 'db.sqlite'));
  services = createCoreServices({ config: configFor(), session, store });
  for (const id of [INTACT, NO_ALARM, CHANGED, UNCONFIRMED, MANAGED_KEY, ALARMS_DENIED]) {
    granted.set(id, await grant(id, true));
  }
  granted.set(BLANKET, await grant(BLANKET, false));
  // Someone edits the filter of CHANGED after its deviation was approved.
  const filter = sandbox.state
    .region(CHANGED, REGION)
    .logGroups.get('cloudtrail')
    ?.metricFilters.get('unauthorized_api_calls_metric');
  if (!filter) throw new Error('the scenario filter is gone');
  filter.filterPattern = '{ $.errorCode = "AccessDenied" }';
});

afterAll(async () => {
  session.destroy();
  await store.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the deviations were granted for the filter that fails, with its witness', () => {
  for (const id of [INTACT, NO_ALARM, UNCONFIRMED, MANAGED_KEY, ALARMS_DENIED]) {
    expect(granted.get(id)?.deviation).toMatchObject({
      filterName: 'unauthorized_api_calls_metric',
      filterPattern: NARROW,
    });
  }
  expect(granted.get(BLANKET)?.deviation).toBeUndefined();
});

test('deviation + intact chain after the filter: ACCEPTED, the filter named as what fails, the rest shown holding', async () => {
  const f = await audit41(INTACT);
  const id = granted.get(INTACT)?.id;
  expect(f).toMatchObject({
    status: 'ACCEPTED',
    brokenLink: 'metric-filter',
    exception: { id, until: UNTIL, deviation: { filterName: 'unauthorized_api_calls_metric' } },
  });
  expect(f.lapsedException).toBeUndefined();
  expect(f.reason).toMatch(
    /does not catch every CIS 4\.1 event \(OVERLAPPING: it misses .*UnauthorizedOperation/,
  );
  expect(f.reason).toContain(`exception ${id} accepts it`);
  expect(f.reason).toContain(
    "The rest of the chain holds: alarm 'unauthorized_api_calls_alarm' -> topic cis-alarms",
  );
  expect(f.links.map((l) => `${l.link}:${l.status}`)).toEqual([
    'trail:pass',
    'logging:pass',
    'management-events:pass',
    'log-group:pass',
    'metric-filter:fail',
    'alarm:pass',
    'topic:pass',
    'subscription:pass',
  ]);
  expect(linkOf(f, 'metric-filter')?.evidence).toMatchObject({
    pattern: NARROW,
    verdict: 'OVERLAPPING',
    acceptedBy: { exceptionId: id, until: UNTIL },
  });
  expect(f.chain).toMatchObject({ alarmName: 'unauthorized_api_calls_alarm', filterPattern: NARROW });

  // The report formats read it as before: a failing result suppressed by the exception.
  const sarif = JSON.parse(
    renderSarif(
      reportRun(
        [
          {
            control: '4.1',
            controlTitle: 't',
            startedAt: '',
            finishedAt: '',
            region: REGION,
            accounts: [f],
            summary: { total: 1, compliant: 0, nonCompliant: 0, accepted: 1, error: 0 },
            stats: { durationMs: 0 },
          },
        ],
        { name: 'cis-bot', version: '0' },
      ),
    ),
  );
  expect(sarif.runs[0].results[0]).toMatchObject({
    kind: 'fail',
    suppressions: [{ kind: 'external', status: 'accepted', properties: { exceptionId: id } }],
    properties: { status: 'ACCEPTED', brokenLink: 'metric-filter' },
  });
});

test('deviation + no alarm on the accepted filter metric: NON_COMPLIANT at the alarm link, naming the exception', async () => {
  const f = await audit41(NO_ALARM);
  const id = granted.get(NO_ALARM)?.id as string;
  expect(f).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'alarm' });
  expect(f.exception).toBeUndefined();
  expect(f.lapsedException).toBeUndefined();
  expect(f.reason).toMatch(/^No CloudWatch alarm on metric CISBenchmark\/unauthorized_api_calls_metric/);
  expect(f.reason).toContain(
    `Metric filter 'unauthorized_api_calls_metric' counts as covering CIS 4.1 only by exception ${id} (named deviation): the chain after it must hold too.`,
  );
  expect(f.links.map((l) => `${l.link}:${l.status}`).slice(-2)).toEqual(['metric-filter:warn', 'alarm:fail']);
  expect(linkOf(f, 'metric-filter')?.detail).toContain(`exception ${id} accepts it as covering them`);
});

test('deviation + a broken link further down (unconfirmed subscriber, a topic key CloudWatch cannot use): NON_COMPLIANT there', async () => {
  const unconfirmed = await audit41(UNCONFIRMED);
  expect(unconfirmed).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'subscription' });
  expect(unconfirmed.reason).toContain(`only by exception ${granted.get(UNCONFIRMED)?.id}`);
  const managed = await audit41(MANAGED_KEY);
  expect(managed).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'topic' });
  expect(managed.reason).toMatch(/CloudWatch cannot publish to it/);
  expect(managed.reason).toContain(`only by exception ${granted.get(MANAGED_KEY)?.id}`);
});

test('deviation + alarms that cannot be read: ERROR naming the refused action, never ACCEPTED', async () => {
  const f = await audit41(ALARMS_DENIED);
  expect(f).toMatchObject({ status: 'ERROR', brokenLink: 'alarm' });
  expect(linkOf(f, 'alarm')?.action).toBe('cloudwatch:DescribeAlarmsForMetric');
  expect(f.reason).toContain(`only by exception ${granted.get(ALARMS_DENIED)?.id}`);
});

test('deviation + another filter pattern (the filter changed): NON_COMPLIANT at the filter, the exception lapsed', async () => {
  const f = await audit41(CHANGED);
  expect(f).toMatchObject({
    status: 'NON_COMPLIANT',
    brokenLink: 'metric-filter',
    lapsedException: { id: granted.get(CHANGED)?.id, why: 'filter-changed' },
  });
  expect(f.exception).toBeUndefined();
  expect(f.links.at(-1)).toMatchObject({ link: 'metric-filter', status: 'fail' });
});

test('a blanket exception accepts the failure as before, whatever link fails first', async () => {
  const f = await audit41(BLANKET);
  expect(f).toMatchObject({
    status: 'ACCEPTED',
    brokenLink: 'metric-filter',
    exception: { id: granted.get(BLANKET)?.id },
  });
  expect(f.exception?.deviation).toBeUndefined();
  expect(f.reason).toMatch(/^No metric filter on log group cloudtrail .* catches every CIS 4\.1 event/);
  expect(f.links.at(-1)).toMatchObject({ link: 'metric-filter', status: 'fail' });
});

test('a section audit (alarms read once per region) evaluates the chain through the accepted filter too', async () => {
  sandbox.resetCalls();
  const { report } = await services.auditor.auditControls({
    controls: ['4.1', '4.3'],
    accounts: [INTACT, NO_ALARM],
  });
  const verdicts = report.accounts.flatMap((row) =>
    row.controls.map((f) => `${f.accountId} ${f.control} ${f.status} ${f.brokenLink ?? '-'}`),
  );
  expect(verdicts).toEqual([
    `${INTACT} 4.1 ACCEPTED metric-filter`,
    `${INTACT} 4.3 COMPLIANT -`,
    `${NO_ALARM} 4.1 NON_COMPLIANT alarm`,
    `${NO_ALARM} 4.3 NON_COMPLIANT metric-filter`,
  ]);
  expect(report.summary).toMatchObject({ accepted: 1 });
  // The intact account's two metrics (4.3's and the accepted filter's) came from one DescribeAlarms.
  const alarmReads = sandbox.calls
    .filter((c) => c.accountId === INTACT && c.service === 'monitoring')
    .map((c) => c.operation);
  expect(alarmReads).toEqual(['DescribeAlarms']);
});

test('with --confirm-patterns AWS confirming the accepted miss changes nothing', async () => {
  const config = configFor(true);
  const auditor = withExceptions(createAwsAuditor(config.aws, { session }), store);
  const { report } = await auditor.audit({ control: '4.1', accounts: [INTACT, NO_ALARM] });
  const [intact, noAlarm] = report.accounts;
  expect(intact).toMatchObject({ status: 'ACCEPTED', brokenLink: 'metric-filter' });
  expect(linkOf(intact as AccountFinding, 'metric-filter')?.evidence.awsConfirmation).toMatchObject({
    pattern: NARROW,
  });
  expect(noAlarm).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'alarm' });
});

test('the raw auditor (remediation planner, exception kind) still sees the filter failing and plans its fix', async () => {
  const { finding, plan } = await services.assessor.assess('4.1', INTACT);
  expect(finding).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'metric-filter' });
  expect(finding.exception).toBeUndefined();
  expect(plan.finding).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'metric-filter' });
  expect(plan.steps.map((s) => s.iamAction)).toContain('logs:PutMetricFilter');
});
