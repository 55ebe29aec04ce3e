/**
 * Benchmark: what metrics cost (issue 14 point 4's figures). (1) A store call through the measuring
 * decorator against the bare store: `getLease` on an in-memory SQLite store, the cheapest call there is,
 * so the decorator's share is as large as it gets. (2) Recording the audits of 1,000 accounts x 16
 * controls, then one scrape of the registry: its time, size and series count, with account ids as labels
 * and without (`metrics.account_labels`). (3) The same registry after the drift alerts, fire drills and
 * exceptions of that estate: 1,000 drift alerts, a drill per control, and 1,000 accepted exceptions in an
 * in-memory SQLite store that the exception gauges read at every scrape: the scrape's time (the store
 * read included), size and series. Run alone with `npx tsx bench/metrics.ts`.
 */
import { performance } from 'node:perf_hooks';
import { createPrometheusMetrics, measuredStore } from '../src/metrics';
import { openStore } from '../src/store';

const CALLS = 50_000;

async function timeCalls(call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 2_000; i++) await call(); // warm-up
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) await call();
  return ((performance.now() - started) * 1000) / CALLS; // µs per call
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

export async function benchMetricsOverhead(): Promise<Record<string, number>> {
  const bare = openStore(':memory:');
  const measured = measuredStore(openStore(':memory:'), createPrometheusMetrics(), 'sqlite');
  try {
    const bareUs = await timeCalls(() => bare.getLease('account:111111111111'));
    const measuredUs = await timeCalls(() => measured.getLease('account:111111111111'));
    const result: Record<string, number> = {
      storeCallBareUs: round(bareUs),
      storeCallMeasuredUs: round(measuredUs),
      decoratorOverheadUs: round(measuredUs - bareUs),
    };
    console.log(
      `store getLease (SQLite in memory), ${CALLS} calls: bare ${result.storeCallBareUs} µs, measured ${result.storeCallMeasuredUs} µs per call (+${result.decoratorOverheadUs} µs)`,
    );
    for (const accountLabels of [false, true]) {
      const metrics = createPrometheusMetrics({ accountLabels });
      const controls = Array.from({ length: 16 }, (_, i) => `4.${i + 1}`);
      const accounts = Array.from({ length: 1000 }, (_, i) => ({
        accountId: String(100000000000 + i),
        status: i % 3 === 0 ? 'NON_COMPLIANT' : 'COMPLIANT',
      }));
      const recordStarted = performance.now();
      for (const control of controls) metrics.auditRecorded({ control, trigger: 'schedule', accounts });
      const recordMs = performance.now() - recordStarted;
      const scrapeStarted = performance.now();
      const text = await metrics.registry.metrics();
      const scrapeMs = performance.now() - scrapeStarted;
      const series = text.split('\n').filter((l) => l.startsWith('cisbot_')).length;
      const label = accountLabels ? 'with account labels' : 'without account labels';
      result[accountLabels ? 'scrapeWithAccountsMs' : 'scrapeMs'] = round(scrapeMs, 1);
      result[accountLabels ? 'seriesWithAccounts' : 'series'] = series;
      console.log(
        `1,000 accounts x 16 controls ${label}: recorded in ${round(recordMs, 1)} ms; one scrape ${round(scrapeMs, 1)} ms, ${round(text.length / 1024, 1)} KiB, ${series} cisbot_ series`,
      );
      const features = await scrapeWithFeatures(
        metrics,
        controls,
        accounts.map((a) => a.accountId),
      );
      result[accountLabels ? 'featuresScrapeWithAccountsMs' : 'featuresScrapeMs'] = features.scrapeMs;
      result[accountLabels ? 'featuresSeriesWithAccounts' : 'featuresSeries'] = features.series;
      console.log(
        `  + drift alerts, drills and 1,000 exceptions (read from SQLite at each scrape) ${label}: one scrape ${features.scrapeMs} ms (median of 5), ${features.kib} KiB, ${features.series} cisbot_ series (${features.featureSeries} of them drift, drill and exception series)`,
      );
    }
    return result;
  } finally {
    await bare.close();
    await measured.close();
  }
}

/** Records the drift, drill and exception events of the estate on `metrics`, then scrapes it 5 times. */
async function scrapeWithFeatures(
  metrics: ReturnType<typeof createPrometheusMetrics>,
  controls: string[],
  accountIds: string[],
): Promise<{ scrapeMs: number; series: number; featureSeries: number; kib: number }> {
  const store = openStore(':memory:');
  try {
    const now = Date.now();
    const actor = { platform: 'slack', userId: 'U0BOB00001' };
    for (const [i, accountId] of accountIds.entries()) {
      const control = controls[i % controls.length] as string;
      const days = 3 + (i % 60);
      await store.saveException({
        id: `exception-${i}`,
        control,
        accountId,
        reason: 'bench',
        until: new Date(now + days * DAY_MS).toISOString().slice(0, 10),
        expiresAt: new Date(now + (days + 1) * DAY_MS).toISOString(),
        requestedBy: actor,
        approvedBy: actor,
        grantedAt: new Date(now).toISOString(),
      });
      metrics.exceptionChanged({ control, accountId, change: 'granted' });
      metrics.driftEvent('mapped');
      metrics.driftReaudit({ accountId, result: 'recorded' });
      metrics.driftAlert({
        control,
        accountId,
        transition: i % 2 === 0 ? 'broke' : 'recovered',
        latencyMs: 500 + (i % 40) * 100,
      });
    }
    for (const outcome of ['ignored-foreign', 'ignored-irrelevant', 'malformed'] as const)
      metrics.driftEvent(outcome);
    metrics.watchDriftPoller({ lastPollAt: () => Date.now(), oldestPendingAt: () => undefined });
    for (const [i, control] of controls.entries()) {
      metrics.drillEnded({
        control,
        accountId: accountIds[i] as string,
        outcome: 'proven',
        cleanup: 'complete',
        resumed: false,
        durationMs: 4000,
      });
    }
    metrics.watchExceptions({
      valid: (at) => store.listExceptions({ expiresAfter: at.toISOString() }),
      now: () => new Date(),
    });
    const times: number[] = [];
    let text = '';
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      text = await metrics.registry.metrics();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const lines = text.split('\n');
    return {
      scrapeMs: round(times[2] as number, 1),
      series: lines.filter((l) => l.startsWith('cisbot_')).length,
      featureSeries: lines.filter((l) => /^cisbot_(drift|drill|exception)/.test(l)).length,
      kib: round(text.length / 1024, 1),
    };
  } finally {
    await store.close();
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

if (require.main === module) {
  benchMetricsOverhead().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
