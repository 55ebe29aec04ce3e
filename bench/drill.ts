/**
 * Fire-drill benchmark (issue 15): one compliant CIS 4.1 chain in the sandbox, drills proposed and run
 * through the one approval workflow as the composition root builds it (real SDK clients over loopback,
 * SQLite file). Prints, with no latency and with 20 ms per AWS call: the duration of a drill's run
 * (approval to cleaned up; p50 and max of 10), the duration of its proposal (the audit included), and the
 * AWS calls per drill (proposal and run, retries counted), by operation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsSession } from '../src/aws/session';
import { loadConfig } from '../src/config/load';
import { getMetricFilterControl } from '../src/core/controls';
import { createCoreServices } from '../src/runtime';
import { startSandbox } from '../src/sandbox';
import { openStore } from '../src/store';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-2';
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:cis-security-alarms`;
const RUNS = 10;

function scenario() {
  const c = getMetricFilterControl('4.1');
  return {
    accounts: [
      {
        id: ACCOUNT,
        regions: {
          [REGION]: {
            trails: [{ name: 'main', log_group: 'ct-logs' }],
            log_groups: [
              {
                name: 'ct-logs',
                metric_filters: [
                  {
                    name: c.defaults.filterName,
                    pattern: c.pattern,
                    metric_name: c.defaults.metricName,
                    metric_namespace: c.defaults.metricNamespace,
                  },
                ],
              },
            ],
            alarms: [
              {
                name: c.defaults.alarmName,
                metric_name: c.defaults.metricName,
                namespace: c.defaults.metricNamespace,
                alarm_actions: [TOPIC_ARN],
              },
            ],
            topics: [
              {
                name: 'cis-security-alarms',
                subscriptions: [{ protocol: 'email', endpoint: 'secops@example.com', confirmed: true }],
              },
            ],
          },
        },
      },
    ],
  };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function measure(latencyMs: number, log: (line: string) => void): Promise<void> {
  const sandbox = await startSandbox({ scenario: scenario() as never, latencyMs });
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-bench-drill-'));
  const store = openStore(join(dir, 'bench.db'));
  const session = new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(ACCOUNT),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
  const config = loadConfig({
    document: {
      aws: { region: REGION },
      approvals: { cli: { users: ['bench'] } },
      drill: { wait_seconds: 10 },
    },
    env: {},
  });
  const { approvals } = createCoreServices({ config, session, store });
  const operator = { platform: 'cli', userId: 'bench' };
  const runs: number[] = [];
  const proposals: number[] = [];
  const calls: number[] = [];
  const byOperation = new Map<string, number>();
  try {
    for (let i = 0; i < RUNS; i++) {
      sandbox.resetCalls();
      const t0 = performance.now();
      const p = await approvals.propose('drill', { control: '4.1', accountId: ACCOUNT }, operator);
      const t1 = performance.now();
      const done = await approvals.approveAndExecute(p.approval.id, operator);
      const t2 = performance.now();
      if (done.kind !== 'drill' || done.verdict !== 'proven')
        throw new Error(`drill ${i} did not prove the chain`);
      proposals.push(t1 - t0);
      runs.push(t2 - t1);
      calls.push(sandbox.calls.length);
      if (i === 0)
        for (const c of sandbox.calls) byOperation.set(c.operation, (byOperation.get(c.operation) ?? 0) + 1);
    }
  } finally {
    session.destroy();
    await store.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
  runs.sort((a, b) => a - b);
  proposals.sort((a, b) => a - b);
  log(
    `  latency ${latencyMs} ms/call: drill run p50 ${pct(runs, 50).toFixed(0)} ms, max ${(runs.at(-1) ?? 0).toFixed(0)} ms; proposal (audit included) p50 ${pct(proposals, 50).toFixed(0)} ms; AWS calls per drill ${Math.min(...calls)}..${Math.max(...calls)}`,
  );
  log(`    calls of one drill: ${[...byOperation].map(([op, n]) => `${op} ${n}`).join(', ')}`);
}

export async function benchDrill(log: (line: string) => void = console.log): Promise<void> {
  log(`fire drill: ${RUNS} drills of one compliant CIS 4.1 chain, proposal + approval + run + cleanup`);
  await measure(0, log);
  await measure(20, log);
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';
  benchDrill().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
