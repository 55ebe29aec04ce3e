/**
 * A drill interrupted by a crash: a second process fires the alarm over the same SQLite file and dies;
 * once its lease lapsed, this process resumes the same approval: it does not fire again (the alarm
 * history shows the drill's own transition), still finds SNS's message on the probe queue, and cleans
 * up everything the crashed process left (subscription, queue, the alarm in ALARM).
 */
import { join } from 'node:path';
import type { DrillOutcome } from '../../src/core/drill/types';
import { createLogger } from '../../src/logger';
import { createPrometheusMetrics, METRIC_NAMES, serveMetrics } from '../../src/metrics';
import {
  ACCOUNT,
  ALARM,
  ALICE,
  compliantRegion,
  configDoc,
  QUEUE,
  REGION,
  runCrashWorker,
  scenarioWith,
  startHarness,
  TOPIC,
  tempDir,
} from '../remediation/helpers';
import { samplesOf, scrape } from '../support/prometheus-scrape';

test('a drill interrupted after firing is resumed: not fired twice, proven, and cleaned up', async () => {
  const tmp = tempDir();
  let offsetMs = 0;
  const doc = configDoc({ drill: { wait_seconds: 1 } });
  const metrics = createPrometheusMetrics();
  const h = await startHarness(scenarioWith(compliantRegion()), doc, {
    dbPath: join(tmp.dir, 'shared.db'),
    now: () => new Date(Date.now() + offsetMs),
    metrics,
  });
  try {
    const p = await h.workflow.propose('drill', { control: '4.1', accountId: ACCOUNT }, ALICE);
    await h.workflow.decide(p.approval.id, ALICE, 'approve');
    const worker = await runCrashWorker({
      crashOn: 'drill-fire',
      endpoint: h.sandbox.endpoint,
      credentials: h.sandbox.credentialsFor(ACCOUNT),
      region: REGION,
      dbPath: h.dbPath,
      config: doc,
      approvalId: p.approval.id,
    });
    expect(worker.code).toBe(137);
    const region = h.sandbox.state.region(ACCOUNT, REGION);
    // What the crash left: the alarm in ALARM, the probe subscribed.
    expect(region.alarms.get(ALARM)?.StateValue).toBe('ALARM');
    expect(region.topics.get(TOPIC)?.subscriptions).toHaveLength(2);
    expect((await h.workflow.get(p.approval.id))?.state).toBe('executing');
    // Nobody takes over while the crashed owner's lease runs.
    expect(await h.workflow.interruptedExecutions()).toHaveLength(0);
    offsetMs = 10 * 60_000;
    h.sandbox.resetCalls();

    const [resumed] = await h.workflow.resumeInterrupted();
    if (!resumed || !('kind' in resumed) || resumed.kind !== 'drill') {
      throw new Error(`resume failed: ${JSON.stringify(resumed)}`);
    }
    const outcome = resumed as unknown as DrillOutcome & { approval: { state: string } };
    expect(outcome.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      'probe-queue:skipped',
      'probe-subscription:skipped',
      'fire:skipped',
      'alarm-action:done',
      'delivery:done',
      'unsubscribe:done',
      'delete-queue:done',
      'reset-alarm:done',
    ]);
    expect(outcome.verdict).toBe('proven');
    expect(outcome.approval.state).toBe('succeeded');
    // Fired once (by the crashed process), reset once (by this one).
    expect(h.sandbox.calls.filter((c) => c.operation === 'SetAlarmState').length).toBe(1);
    expect(
      region.alarmHistory.filter((i) => i.HistoryItemType === 'StateUpdate').map((i) => i.HistorySummary),
    ).toEqual(['Alarm updated from OK to ALARM', 'Alarm updated from ALARM to OK']);
    expect(region.alarms.get(ALARM)?.StateValue).toBe('OK');
    expect(region.topics.get(TOPIC)?.subscriptions.map((s) => s.endpoint)).toEqual([QUEUE]);
    expect([...region.queues.values()].filter((q) => !q.deleted && q.arn.includes('cis-bot-drill-'))).toEqual(
      [],
    );
    const kinds = (await h.store.listAuditLog({ approvalId: p.approval.id, limit: 100 })).map((e) => e.kind);
    expect(kinds).toContain('execution-resumed');
    // /metrics counts the drill as resumed (the resume scan took it over), proven and cleaned up.
    const server = await serveMetrics(metrics, {
      port: 0,
      host: '127.0.0.1',
      log: createLogger('metrics-test'),
    });
    try {
      const s = await scrape(`http://127.0.0.1:${server.port}/metrics`);
      expect(samplesOf(s, METRIC_NAMES.drills)).toEqual([
        {
          name: METRIC_NAMES.drills,
          labels: { control: '4.1', outcome: 'proven', cleanup: 'complete', resumed: 'true' },
          value: 1,
        },
      ]);
    } finally {
      await server.close();
    }
  } finally {
    await h.close();
    tmp.remove();
  }
});
