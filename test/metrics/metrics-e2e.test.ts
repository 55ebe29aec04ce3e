/**
 * /metrics end to end: the real bot server on loopback with `metrics.enabled` (its own port), a sandbox
 * audit, a remediation approved (and refused) through signed Slack requests and a digest run; then
 * /metrics is scraped over HTTP and parsed, and the counters must have moved with the right labels.
 * Account ids are never labels (nor anywhere in the text) unless `metrics.account_labels: true`. With the
 * default configuration nothing listens for metrics at all.
 */
import { createConnection } from 'node:net';
import { createPrometheusMetrics, METRIC_NAMES } from '../../src/metrics';
import { BOB, CHANNEL, type E2E, MALLORY, startE2E } from '../slack/e2e-harness';
import { type Scrape, samplesOf, scrape, total } from '../support/prometheus-scrape';

const DEV = '333333333333'; // the audit-demo account the bot can fix

let e: E2E | undefined;

afterEach(async () => {
  await e?.close();
  e = undefined;
});

async function startWithMetrics(accountLabels: boolean): Promise<E2E> {
  const metrics = createPrometheusMetrics({ accountLabels });
  return startE2E({
    metrics,
    document: {
      metrics: { enabled: true, port: 0, account_labels: accountLabels },
      // No catch-up at start-up: a run between 09:00 and 10:00 UTC must not audit before the test does.
      schedules: [
        {
          name: 'daily',
          cron: '0 9 * * *',
          catch_up_minutes: 0,
          controls: ['4.1'],
          targets: { slack: [CHANNEL] },
        },
      ],
    },
  });
}

function metricsUrl(bot: E2E): string {
  if (!bot.bot.metrics) throw new Error('metrics are not served');
  return `http://127.0.0.1:${bot.bot.metrics.port}/metrics`;
}

/** Audits, asks for a plan, has it refused once and approved once, and runs a digest. */
async function exercise(bot: E2E): Promise<void> {
  await bot.command(`4.1 audit --account ${DEV}`);
  const plan = await bot.command(`4.1 remediate --account ${DEV}`);
  if (!plan.message) throw new Error('no plan posted');
  const message = structuredClone(plan.message);
  await bot.click(message, 'cis:approve', MALLORY);
  await bot.click(message, 'cis:approve', BOB);
  await bot.bot.scheduler.fire('daily', new Date());
}

function labelNames(s: Scrape): Set<string> {
  return new Set(s.samples.flatMap((x) => Object.keys(x.labels)));
}

it('counts audits, findings, AWS calls, approvals, remediation steps, digests, chat and database work, without account ids', async () => {
  e = await startWithMetrics(false);
  const before = await scrape(metricsUrl(e));
  expect(total(before, METRIC_NAMES.audits)).toBe(0);

  await exercise(e);
  const s = await scrape(metricsUrl(e));
  const configured = e.run.otherAccounts.length;
  expect(s.status).toBe(200);
  expect(s.contentType).toMatch(/^text\/plain; version=0\.0\.4/);

  // Audits by control, trigger and result: the chat audit, the plan's audit, the re-derivation and the
  // re-audit of DEV, and the digest's audit of every configured account.
  expect(
    total(s, METRIC_NAMES.audits, { control: '4.1', trigger: 'slack', result: 'non_compliant' }),
  ).toBeGreaterThanOrEqual(2);
  expect(total(s, METRIC_NAMES.audits, { control: '4.1', result: 'compliant' })).toBeGreaterThanOrEqual(1);
  expect(total(s, METRIC_NAMES.audits, { control: '4.1', trigger: 'schedule' })).toBe(configured);
  // Findings: one per audited account, at its latest status (DEV is compliant after the fix).
  expect(total(s, METRIC_NAMES.findings, { control: '4.1' })).toBe(configured);
  expect(
    samplesOf(s, METRIC_NAMES.findings)
      .map((x) => x.labels.status)
      .sort(),
  ).toEqual(expect.arrayContaining(['compliant']));

  // AWS calls by service and operation, through the SDK middleware.
  expect(
    total(s, METRIC_NAMES.awsCalls, { service: 'CloudTrail', operation: 'DescribeTrails' }),
  ).toBeGreaterThan(0);
  expect(total(s, METRIC_NAMES.awsCalls, { service: 'CloudWatchLogs', operation: 'PutMetricFilter' })).toBe(
    1,
  );
  expect(total(s, `${METRIC_NAMES.awsCallDuration}_count`, { service: 'CloudTrail' })).toBeGreaterThan(0);

  // Approval decisions: Mallory refused (forbidden), Bob's approval recorded.
  expect(
    total(s, METRIC_NAMES.approvalDecisions, {
      kind: 'remediation',
      decision: 'approve',
      outcome: 'forbidden',
    }),
  ).toBe(1);
  expect(
    total(s, METRIC_NAMES.approvalDecisions, {
      kind: 'remediation',
      decision: 'approve',
      outcome: 'recorded',
    }),
  ).toBe(1);

  // Remediation steps and their durations.
  expect(
    total(s, METRIC_NAMES.remediationSteps, { control: '4.1', call: 'logs:PutMetricFilter', status: 'done' }),
  ).toBe(1);
  expect(total(s, `${METRIC_NAMES.remediationStepDuration}_count`, { call: 'logs:PutMetricFilter' })).toBe(1);

  // The digest run.
  expect(
    total(s, METRIC_NAMES.digestRuns, { schedule: 'daily', trigger: 'scheduled', outcome: 'posted' }),
  ).toBe(1);
  expect(total(s, `${METRIC_NAMES.digestRunDuration}_count`, { schedule: 'daily' })).toBe(1);

  // Slack: every signed request acknowledged (2 commands + 2 clicks), and the core's work per request.
  expect(total(s, `${METRIC_NAMES.chatAckDuration}_count`, { platform: 'slack', status: '200' })).toBe(4);
  expect(
    total(s, `${METRIC_NAMES.chatRequestDuration}_count`, {
      platform: 'slack',
      request: 'audit',
      result: 'ok',
    }),
  ).toBe(1);
  expect(total(s, `${METRIC_NAMES.chatRequestDuration}_count`, { platform: 'slack', request: 'click' })).toBe(
    2,
  );

  // Database latency per store operation.
  expect(
    total(s, `${METRIC_NAMES.storeOperationDuration}_count`, {
      store: 'sqlite',
      operation: 'recordAuditRun',
      result: 'ok',
    }),
  ).toBeGreaterThanOrEqual(4);
  expect(
    total(s, `${METRIC_NAMES.storeOperationDuration}_count`, {
      store: 'sqlite',
      operation: 'transitionApproval',
    }),
  ).toBeGreaterThan(0);

  // Event-loop lag, from prom-client's default metrics.
  expect(s.types.get('nodejs_eventloop_lag_seconds')).toBe('GAUGE');

  // No account id as a label, nor anywhere in the text.
  expect(labelNames(s).has('account_id')).toBe(false);
  for (const id of [e.run.callerAccount, ...e.run.otherAccounts]) expect(s.text).not.toContain(id);
});

it('labels per-account series with the account id when metrics.account_labels is true', async () => {
  e = await startWithMetrics(true);
  await exercise(e);
  const s = await scrape(metricsUrl(e));
  expect(
    total(s, METRIC_NAMES.audits, { control: '4.1', trigger: 'slack', account_id: DEV }),
  ).toBeGreaterThanOrEqual(2);
  expect(
    samplesOf(s, METRIC_NAMES.findings, { control: '4.1', account_id: DEV }).map((x) => x.labels.status),
  ).toEqual(['compliant']);
  expect(total(s, METRIC_NAMES.remediationSteps, { account_id: DEV, status: 'done' })).toBe(1);
  expect(
    total(s, METRIC_NAMES.awsCalls, {
      service: 'CloudWatchLogs',
      operation: 'PutMetricFilter',
      account_id: DEV,
    }),
  ).toBe(1);
});

it('answers only GET and HEAD /metrics on its port, with short JSON answers otherwise', async () => {
  e = await startWithMetrics(false);
  const url = metricsUrl(e);
  const other = await fetch(url.replace('/metrics', '/'));
  expect(other.status).toBe(404);
  expect(await other.json()).toEqual({ error: 'Not found: the metrics are at /metrics.' });
  const post = await fetch(url, { method: 'POST', body: 'x' });
  expect(post.status).toBe(405);
  expect(post.headers.get('allow')).toBe('GET, HEAD');
  // The bot's own port does not serve them.
  const onBot = await fetch(e.url.replace('/slack/events', '/metrics'));
  expect(onBot.status).toBe(404);
});

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

it('serves no metrics by default: no listener, and /metrics is not a route of the bot', async () => {
  e = await startE2E();
  expect(e.config.metrics).toEqual({ enabled: false, port: 9464, account_labels: false });
  expect(e.bot.metrics).toBeUndefined();
  expect(await refused(9464)).toBe(true);
  expect((await fetch(e.url.replace('/slack/events', '/metrics'))).status).toBe(404);
});
