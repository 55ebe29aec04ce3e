/**
 * The metrics of drift alerts, fire drills and exceptions, end to end: the real bot server with
 * `metrics.enabled` (its own port), its real SQS poller long-polling the sandbox's queue, real drills
 * against the sandbox and exceptions approved through signed Slack requests; /metrics is scraped over
 * HTTP between the steps and its series must move as the events happen: queue messages by outcome,
 * re-audits, alerts by transition and their latency, the stuck-pipeline gauges (the oldest held message
 * ages while its account is busy, and is gone once recorded), drills by outcome, and the exception
 * gauges read from the store at scrape time (an exception written by another replica counts too).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteQueueCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createPrometheusMetrics, METRIC_NAMES } from '../../src/metrics';
import { openStore } from '../../src/store';
import {
  cloudWatchAs,
  eventsSettings,
  PROD,
  putAlarmBack,
  queueDepth,
  queueUrl,
  scenarioWithQueue,
  sqsAs,
  waitFor,
} from '../events/helpers';
import { ALICE, BOB, buttonsOf, CHANNEL, type E2E, startE2E, textOf } from '../slack/e2e-harness';
import { type Scrape, samplesOf, scrape, total } from '../support/prometheus-scrape';

const DEV = '333333333333'; // broken at its metric filter in audit-demo
const DAY = 24 * 60 * 60 * 1000;

let e: E2E | undefined;
let sqs: SQSClient | undefined;

afterEach(async () => {
  sqs?.destroy();
  sqs = undefined;
  await e?.close();
  e = undefined;
});

function bot(): E2E {
  if (!e) throw new Error('the bot is not started');
  return e;
}

function metricsOf(harness: E2E): Promise<Scrape> {
  if (!harness.bot.metrics) throw new Error('metrics are not served');
  return scrape(`http://127.0.0.1:${harness.bot.metrics.port}/metrics`);
}

/** The one sample of a gauge without labels, or undefined when the gauge has no series. */
function gauge(s: Scrape, name: string): number | undefined {
  const [sample] = samplesOf(s, name);
  return sample?.value;
}

/** Waits for the "NON-COMPLIANT" drift alert in the channel and for the poller to settle; then scrapes. */
async function afterBrokeAlert(h: E2E): Promise<Scrape> {
  await waitFor('the drift alert', () =>
    h.fake.channelMessages(CHANNEL).find((m) => textOf(m).includes('NON-COMPLIANT in account')),
  );
  await h.bot.driftAlerts?.poller.idle();
  return metricsOf(h);
}

async function startWithQueue(document: Record<string, unknown> = {}): Promise<E2E> {
  e = await startE2E({
    metrics: createPrometheusMetrics(),
    scenario: scenarioWithQueue(),
    document: (run) => ({
      ...eventsSettings(run, [CHANNEL], { controls: ['4.1'] }),
      metrics: { enabled: true, port: 0 },
      ...document,
    }),
  });
  sqs = sqsAs(e.run);
  return e;
}

/** Deletes prod's alarm as a person would; returns the function that puts it back as it was. */
async function deleteProdAlarm(harness: E2E): Promise<() => Promise<void>> {
  const cw = cloudWatchAs(harness.run, PROD);
  try {
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({}));
    const alarm = MetricAlarms?.[0];
    if (!alarm?.AlarmName) throw new Error('prod has no alarm');
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: [alarm.AlarmName] }));
    return async () => {
      const again = cloudWatchAs(harness.run, PROD);
      try {
        await again.send(putAlarmBack(alarm));
      } finally {
        again.destroy();
      }
    };
  } finally {
    cw.destroy();
  }
}

it('drift: messages by outcome, re-audits, the broke alert and its latency, and the poller gauges', async () => {
  const h = await startWithQueue();
  const poller = h.bot.driftAlerts?.poller;
  if (!poller || !sqs) throw new Error('drift alerts are not running');
  // The last poll's time is reported once ReceiveMessage has answered (wait_seconds: 1); 0 before.
  const first = await waitFor('a poll', async () => {
    const s = await metricsOf(h);
    return (gauge(s, METRIC_NAMES.driftLastPoll) ?? 0) > 0 && s;
  });
  expect(gauge(first, METRIC_NAMES.driftLastPoll)).toBeGreaterThan(Date.parse('2026-01-01') / 1000);
  expect(gauge(first, METRIC_NAMES.driftOldestPendingAge)).toBe(0);
  expect(total(first, METRIC_NAMES.driftEvents)).toBe(0);
  // The poller's own SQS calls are counted with the audit's AWS calls.
  expect(
    total(first, METRIC_NAMES.awsCalls, { service: 'SQS', operation: 'ReceiveMessage' }),
  ).toBeGreaterThan(0);

  // What can never be an alert: one malformed, one of another kind, one for an account cis-bot does not audit.
  const foreignAccount = JSON.stringify({
    id: 'evt-foreign',
    'detail-type': 'AWS API Call via CloudTrail',
    account: '123456789012',
    detail: {
      eventSource: 'monitoring.amazonaws.com',
      eventName: 'DeleteAlarms',
      recipientAccountId: '123456789012',
    },
  });
  for (const body of [
    '{"truncated',
    JSON.stringify({ 'detail-type': 'EC2 Spot Interruption' }),
    foreignAccount,
  ]) {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(h.run), MessageBody: body }));
  }
  await waitFor('the three messages', () => poller.stats.ignored === 3);
  const ignored = await metricsOf(h);
  expect(total(ignored, METRIC_NAMES.driftEvents, { outcome: 'malformed' })).toBe(1);
  expect(total(ignored, METRIC_NAMES.driftEvents, { outcome: 'ignored-foreign' })).toBe(2);
  expect(total(ignored, METRIC_NAMES.driftEvents, { outcome: 'mapped' })).toBe(0);
  expect(total(ignored, METRIC_NAMES.driftReaudits)).toBe(0);

  // The baseline, then someone deletes prod's alarm: one mapped event, one re-audit, one "broke" alert.
  await h.command(`4.1 audit --account ${PROD}`);
  const putBack = await deleteProdAlarm(h);
  const broke = await afterBrokeAlert(h);
  expect(total(broke, METRIC_NAMES.driftEvents, { outcome: 'mapped' })).toBe(1);
  expect(total(broke, METRIC_NAMES.driftReaudits, { result: 'recorded' })).toBe(1);
  expect(total(broke, METRIC_NAMES.driftAlerts, { control: '4.1', transition: 'broke' })).toBe(1);
  expect(total(broke, METRIC_NAMES.driftAlerts, { transition: 'recovered' })).toBe(0);
  expect(total(broke, `${METRIC_NAMES.driftAlertLatency}_count`, { transition: 'broke' })).toBe(1);
  expect(total(broke, `${METRIC_NAMES.driftAlertLatency}_sum`, { transition: 'broke' })).toBeGreaterThan(0);
  expect(gauge(broke, METRIC_NAMES.driftOldestPendingAge)).toBe(0);
  expect(total(broke, METRIC_NAMES.driftPollErrors)).toBe(0);
  // No account id anywhere without metrics.account_labels.
  expect(broke.text).not.toContain(PROD);

  // The alarm put back as it was: a "recovered" alert.
  await putBack();
  await waitFor('the recovered alert', async () => {
    const s = await metricsOf(h);
    return total(s, METRIC_NAMES.driftAlerts, { transition: 'recovered' }) === 1;
  });
  await poller.idle();
  const recovered = await metricsOf(h);
  expect(total(recovered, METRIC_NAMES.driftAlerts, { control: '4.1', transition: 'broke' })).toBe(1);
  expect(total(recovered, `${METRIC_NAMES.driftAlertLatency}_count`, { transition: 'recovered' })).toBe(1);
  expect(total(recovered, METRIC_NAMES.driftEvents, { outcome: 'mapped' })).toBe(2);
  expect(total(recovered, METRIC_NAMES.driftReaudits, { result: 'recorded' })).toBe(2);

  // The queue deleted under the poller: ReceiveMessage fails, each failure counted, none answered since.
  const lastAnswered = gauge(recovered, METRIC_NAMES.driftLastPoll) as number;
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl(h.run) }));
  const failing = await waitFor('a failed poll', async () => {
    const s = await metricsOf(h);
    return total(s, METRIC_NAMES.driftPollErrors) >= 1 && s;
  });
  const stalled = gauge(failing, METRIC_NAMES.driftLastPoll) as number;
  expect(stalled).toBeGreaterThanOrEqual(lastAnswered);
  const again = await metricsOf(h);
  expect(gauge(again, METRIC_NAMES.driftLastPoll)).toBe(stalled);
});

it('drift: while the account is busy the held event ages and re-audits count as busy; once recorded the age is 0', async () => {
  const h = await startWithQueue();
  const poller = h.bot.driftAlerts?.poller;
  if (!poller || !sqs) throw new Error('drift alerts are not running');
  await h.command(`4.1 audit --account ${PROD}`);
  // Other work (a remediation, say) holds prod's lease: the batch waits, its message kept invisible.
  const key = `account:${PROD}`;
  expect(
    await h.services.store.acquireLease(key, 'remediation test@elsewhere', 60_000, new Date()),
  ).toBeTruthy();
  await deleteProdAlarm(h);
  const stuck = await waitFor('a busy re-audit', async () => {
    const s = await metricsOf(h);
    return total(s, METRIC_NAMES.driftReaudits, { result: 'busy' }) >= 1 && s;
  });
  expect(gauge(stuck, METRIC_NAMES.driftOldestPendingAge)).toBeGreaterThan(0);
  expect(total(stuck, METRIC_NAMES.driftAlerts)).toBe(0);
  expect(await queueDepth(sqs, queueUrl(h.run))).toEqual({ visible: 0, inFlight: 1 });
  const later = await metricsOf(h);
  expect(gauge(later, METRIC_NAMES.driftOldestPendingAge)).toBeGreaterThanOrEqual(
    gauge(stuck, METRIC_NAMES.driftOldestPendingAge) as number,
  );

  await h.services.store.releaseLease(key, 'remediation test@elsewhere');
  const done = await afterBrokeAlert(h);
  expect(total(done, METRIC_NAMES.driftReaudits, { result: 'recorded' })).toBe(1);
  expect(total(done, METRIC_NAMES.driftAlerts, { transition: 'broke' })).toBe(1);
  expect(gauge(done, METRIC_NAMES.driftOldestPendingAge)).toBe(0);
});

it('drills: a proven drill with its duration, and a refused one, by outcome (with account labels)', async () => {
  e = await startE2E({
    metrics: createPrometheusMetrics({ accountLabels: true }),
    document: { metrics: { enabled: true, port: 0, account_labels: true }, drill: { wait_seconds: 2 } },
  });
  const h = bot();
  const before = await metricsOf(h);
  expect(total(before, METRIC_NAMES.drills)).toBe(0);

  const request = (await h.command(`4.1 drill --account ${PROD}`, { user: ALICE })).message;
  if (!request) throw new Error('no drill request posted');
  await h.click(structuredClone(request), 'cis:approve', BOB);
  expect(h.fake.thread(CHANNEL, request.ts).map(textOf).at(-1)).toMatch(/Proven: The alarm/);
  await h.command(`4.1 drill --account ${DEV}`, { user: ALICE });

  const s = await metricsOf(h);
  expect(
    total(s, METRIC_NAMES.drills, {
      control: '4.1',
      outcome: 'proven',
      cleanup: 'complete',
      resumed: 'false',
    }),
  ).toBe(1);
  expect(
    total(s, METRIC_NAMES.drills, {
      control: '4.1',
      outcome: 'refused-chain-broken',
      cleanup: 'none',
      account_id: DEV,
    }),
  ).toBe(1);
  expect(total(s, METRIC_NAMES.drills)).toBe(2);
  // One duration, the run's (a refusal ran nothing).
  expect(total(s, `${METRIC_NAMES.drillDuration}_count`, { control: '4.1', outcome: 'proven' })).toBe(1);
  expect(total(s, `${METRIC_NAMES.drillDuration}_sum`)).toBeGreaterThan(0);
  expect(total(s, `${METRIC_NAMES.drillDuration}_count`)).toBe(1);
  // Histograms never carry the account (their series multiply by the buckets).
  expect(samplesOf(s, `${METRIC_NAMES.drillDuration}_count`).map((x) => x.labels.account_id)).toEqual([
    undefined,
  ]);
});

it('exceptions: granted and revoked counted, the accepted and expiring-soon gauges read from the store at scrape time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-metrics-'));
  const storePath = join(dir, 'shared.db');
  try {
    e = await startE2E({
      metrics: createPrometheusMetrics(),
      storePath,
      document: { metrics: { enabled: true, port: 0 } },
    });
    await exceptionsScenario(bot(), storePath);
  } finally {
    await e?.close();
    e = undefined;
    rmSync(dir, { recursive: true, force: true });
  }
});

async function exceptionsScenario(h: E2E, storePath: string): Promise<void> {
  const day = (days: number) =>
    new Date(Date.now() + h.clock.offsetMs + days * DAY).toISOString().slice(0, 10);
  const empty = await metricsOf(h);
  expect(samplesOf(empty, METRIC_NAMES.exceptionsAccepted)).toEqual([]);
  expect(samplesOf(empty, METRIC_NAMES.exceptionsExpiringSoon)).toEqual([]);

  // Requested and approved in chat, valid for 10 days: accepted, and expiring within 14 days.
  const asked = await h.command(
    `4.1 except --account ${DEV} --reason "vendor scanner, replaced in Q2" --until ${day(10)}`,
    { user: ALICE },
  );
  if (!asked.message) throw new Error('no exception request posted');
  await h.click(asked.message, 'cis:approve', BOB);
  await h.idle();
  const granted = await metricsOf(h);
  expect(total(granted, METRIC_NAMES.exceptionChanges, { control: '4.1', change: 'granted' })).toBe(1);
  expect(total(granted, METRIC_NAMES.exceptionsAccepted, { control: '4.1' })).toBe(1);
  expect(total(granted, METRIC_NAMES.exceptionsExpiringSoon, { control: '4.1' })).toBe(1);

  // Another replica on the same database grants one for 4.3 until 90 days from now: this replica's
  // gauges count it (read from the store), its counter does not (that replica counted it).
  const [stored] = await h.services.store.listExceptions();
  if (!stored) throw new Error('the exception is not stored');
  const other = openStore(storePath);
  try {
    await other.saveException({
      ...stored,
      id: 'granted-by-another-replica',
      control: '4.3',
      until: day(90),
      expiresAt: new Date(Date.now() + 91 * DAY).toISOString(),
    });
  } finally {
    await other.close();
  }
  const shared = await metricsOf(h);
  expect(total(shared, METRIC_NAMES.exceptionsAccepted, { control: '4.3' })).toBe(1);
  expect(total(shared, METRIC_NAMES.exceptionsExpiringSoon, { control: '4.3' })).toBe(0);
  expect(total(shared, METRIC_NAMES.exceptionsAccepted)).toBe(2);
  expect(total(shared, METRIC_NAMES.exceptionChanges, { change: 'granted' })).toBe(1);

  // Revoked with its button: the counter moves, the gauge drops at the next scrape.
  const list = await h.command('exceptions', { user: BOB });
  if (!list.message) throw new Error('no exception list posted');
  const revokes = buttonsOf(list.message).filter((b) => b.action_id.endsWith('revoke-exception'));
  const nth = revokes.findIndex((b) => b.value === stored.id);
  expect(nth).toBeGreaterThanOrEqual(0);
  await h.click(list.message, 'cis:revoke-exception', BOB, { nth });
  const revoked = await metricsOf(h);
  expect(total(revoked, METRIC_NAMES.exceptionChanges, { control: '4.1', change: 'revoked' })).toBe(1);
  expect(total(revoked, METRIC_NAMES.exceptionsAccepted, { control: '4.1' })).toBe(0);
  expect(total(revoked, METRIC_NAMES.exceptionsExpiringSoon)).toBe(0);
  expect(total(revoked, METRIC_NAMES.exceptionsAccepted, { control: '4.3' })).toBe(1);
  expect(revoked.text).not.toContain(DEV);
}
