/**
 * Benchmark: what metrics cost (issue 14 point 4's figures). (1) A store call through the measuring
 * decorator against the bare store: `getLease` on an in-memory SQLite store, the cheapest call there is,
 * so the decorator's share is as large as it gets. (2) Recording the audits of 1,000 accounts x 16
 * controls, then one scrape of the registry: its time, size and series count, with account ids as labels
 * and without (`metrics.account_labels`). Run alone with `npx tsx bench/metrics.ts`.
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
    }
    return result;
  } finally {
    await bare.close();
    await measured.close();
  }
}

if (require.main === module) {
  benchMetricsOverhead().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
