/**
 * Audit benchmark: the collector against the sandbox with injected per-call latency. Prints, for 1
 * account and for 200 accounts: wall time, the critical-path lower bound (sequential round trips of the
 * chain times the latency, computed from what was actually read, times the number of concurrency
 * waves), their ratio, API calls and peak memory. The 200-account runs use the sandbox both in-process
 * (it then shares one event loop and its CPU with the collector) and in a child process (closer to a
 * remote AWS endpoint); the gap between the two is the sandbox's own CPU.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runAudit } from '../src/aws/auditor';
import { AwsSession } from '../src/aws/session';
import { getControl } from '../src/core/controls';
import { type AccountSnapshot, logGroupKey, metricKey, parseTopicArn } from '../src/core/snapshot';
import { tuneHeapGrowth } from '../src/heap-tuning';
import { type Sandbox, type Scenario, startSandbox } from '../src/sandbox';

const REGION = 'eu-west-2';
const SECURITY = '999900000001';
const CIS_41 =
  '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }';

function accountId(i: number): string {
  return `3${String(i).padStart(11, '0')}`;
}

/** `n` compliant accounts (the full chain: every call of the audit is made) plus a security account. */
export function benchScenario(n: number): Scenario {
  const accounts: Scenario['accounts'] = [{ id: SECURITY, label: 'security' }];
  for (let i = 1; i <= n; i++) {
    const id = accountId(i);
    accounts.push({
      id,
      roles: [{ name: 'CisBotAudit' }],
      regions: {
        [REGION]: {
          trails: [{ name: 'main', log_group: 'cloudtrail' }],
          log_groups: [
            {
              name: 'cloudtrail',
              metric_filters: [
                {
                  name: 'cis-4-1',
                  pattern: CIS_41,
                  metric_name: 'unauthorized_api_calls_metric',
                  metric_namespace: 'CISBenchmark',
                },
              ],
            },
          ],
          alarms: [
            {
              name: 'unauthorized_api_calls_alarm',
              metric_name: 'unauthorized_api_calls_metric',
              namespace: 'CISBenchmark',
              alarm_actions: [`arn:aws:sns:${REGION}:${id}:cis-alarms`],
            },
          ],
          topics: [
            {
              name: 'cis-alarms',
              subscriptions: [{ protocol: 'email', endpoint: 'secops@example.com', confirmed: true }],
            },
          ],
        },
      },
    });
  }
  return { accounts };
}

/** Sequential round trips the chain of one account needs, from what the snapshot shows was read. */
export function roundTrips(snap: AccountSnapshot, assumed: boolean): number {
  let branch = 0;
  for (const ts of snap.trails.ok ? snap.trails.value : []) {
    if (!ts.trail.isMultiRegion) continue;
    let b = 1; // GetTrailStatus || GetEventSelectors || first DescribeMetricFilters page
    const lg = ts.trail.logGroupArn ? snap.logGroups[logGroupKey(ts.trail.logGroupArn)] : undefined;
    if (lg?.filters.ok) {
      const pages = Math.max(1, Math.ceil(lg.filters.value.length / 50));
      let alarmDepth = 0;
      for (const f of lg.filters.value) {
        for (const t of f.transformations) {
          const ma =
            snap.metricAlarms[
              metricKey({
                accountId: lg.ref.accountId,
                region: lg.ref.region,
                name: t.metricName,
                namespace: t.metricNamespace,
              })
            ];
          if (!ma?.alarms.ok) continue;
          let topicDepth = 0;
          for (const a of ma.alarms.value) {
            for (const arn of a.alarmActions.filter((x) => parseTopicArn(x))) {
              const topic = snap.topics[arn];
              const subPages = topic?.subscriptions.ok
                ? Math.max(1, Math.ceil(topic.subscriptions.value.length / 100))
                : 1;
              topicDepth = Math.max(topicDepth, subPages);
            }
          }
          alarmDepth = Math.max(alarmDepth, 1 + topicDepth);
        }
      }
      b = Math.max(b, pages + alarmDepth);
    }
    branch = Math.max(branch, b);
  }
  return (assumed ? 1 : 0) + 1 + branch; // AssumeRole, DescribeTrails (|| GetCallerIdentity), the chain
}

interface Measure {
  label: string;
  accounts: number;
  concurrency: number;
  wallMs: number;
  lowerBoundMs: number;
  ratio: number;
  apiCalls: number;
  sandboxCalls: number;
  peakRssMb: number;
  peakHeapMb: number;
  compliant: number;
}

/** The endpoint and keys `measure` needs, whether the sandbox is in-process or a child process. */
interface Target {
  endpoint: string;
  credentials(accountId: string): { accessKeyId: string; secretAccessKey: string };
  calls(): number | undefined;
  reset(): void;
  close(): Promise<void>;
}

function inProcess(sandbox: Sandbox): Target {
  return {
    endpoint: sandbox.endpoint,
    credentials: (id) => sandbox.credentialsFor(id),
    calls: () => sandbox.calls.length,
    reset: () => sandbox.resetCalls(),
    close: () => sandbox.close(),
  };
}

/** Runs src/sandbox/cli.ts in a child process and reads its endpoint and the security account's keys. */
async function childProcess(scenario: Scenario, latencyMs: number): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-bench-'));
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, stringify(scenario));
  const root = join(__dirname, '..');
  const child: ChildProcess = spawn(
    join(root, 'node_modules', '.bin', 'tsx'),
    [
      join(root, 'src', 'sandbox', 'cli.ts'),
      '--scenario',
      file,
      '--latency-ms',
      String(latencyMs),
      '--account',
      SECURITY,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const text = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (/export AWS_SECRET_ACCESS_KEY=\S+\n/.test(out)) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
    child.on('error', reject);
  });
  const pick = (re: RegExp) => re.exec(text)?.[1] ?? '';
  const endpoint = pick(/listening on (\S+)/);
  const keys = {
    accessKeyId: pick(/AWS_ACCESS_KEY_ID=(\S+)/),
    secretAccessKey: pick(/AWS_SECRET_ACCESS_KEY=(\S+)/),
  };
  return {
    endpoint,
    credentials: () => keys,
    calls: () => undefined,
    reset: () => undefined,
    close: async () => {
      child.removeAllListeners('exit');
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function measure(
  sandbox: Target,
  label: string,
  accounts: string[] | 'current',
  concurrency: number,
  latencyMs: number,
): Promise<Measure> {
  const control = getControl('4.1');
  const base = accounts === 'current' ? accountId(1) : SECURITY;
  const session = new AwsSession({
    region: REGION,
    credentials: sandbox.credentials(base),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
    maxSockets: 512,
  });
  sandbox.reset();
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 5);
  const t0 = performance.now();
  const out = await runAudit({
    control,
    session,
    region: REGION,
    ...(accounts === 'current' ? {} : { accounts }),
    concurrency,
  });
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  session.destroy();
  const assumed = accounts !== 'current';
  const perAccount = Math.max(...out.snapshots.map((s) => roundTrips(s, assumed)));
  const waves = Math.ceil(out.snapshots.length / concurrency);
  const lowerBoundMs = perAccount * waves * latencyMs;
  return {
    label,
    accounts: out.snapshots.length,
    concurrency,
    wallMs: Math.round(wallMs),
    lowerBoundMs,
    ratio: Math.round((wallMs / lowerBoundMs) * 100) / 100,
    apiCalls: out.report.stats.apiCalls ?? 0,
    sandboxCalls: sandbox.calls() ?? out.report.stats.apiCalls ?? 0,
    peakRssMb: Math.round(peakRss / 1048576),
    peakHeapMb: Math.round(peakHeap / 1048576),
    compliant: out.report.summary.compliant,
  };
}

interface CliPeak {
  peakRssMb: number;
  wallMs: number;
  compliant: number;
}

/** Runs the built CLI (bin/cis-bot.js, as users run it) and reads its high-water mark (VmHWM, Linux) until it exits. */
async function cliPeak(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliPeak> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(__dirname, '..', 'bin', 'cis-bot.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (hwm) peakKb = Math.max(peakKb, Number(hwm));
    } catch {
      // exited between two polls
    }
  }, 2);
  const code = await exited;
  clearInterval(poll);
  // A benchmark of an error is no figure: 0 is all compliant, 1 some not.
  if (code !== 0 && code !== 1) throw new Error(`cis-bot ${args.slice(0, 2).join(' ')} exited ${code}`);
  const compliant = Number(/(\d+) of \d+ accounts compliant/.exec(out)?.[1] ?? 0);
  return { peakRssMb: Math.round(peakKb / 1024), wallMs: Math.round(performance.now() - t0), compliant };
}

/**
 * Peak RSS of the product itself auditing `n` accounts with the sandbox in its process (`audit --sandbox`:
 * the CLI also parses the scenario file and serves every call). The rows above measure this harness's own
 * process, which also holds tsx's compiler and the earlier cases' heap.
 */
async function cliWithSandboxPeak(scenario: Scenario, n: number): Promise<CliPeak> {
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-bench-'));
  try {
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, stringify(scenario));
    const accounts = Array.from({ length: n }, (_, i) => accountId(i + 1)).join(',');
    return await cliPeak(
      ['audit', '4.1', '--sandbox', file, '--accounts', accounts, '--concurrency', '64'],
      process.env,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Peak RSS of the CLI auditing `n` accounts as it runs against AWS: the endpoint (the sandbox, in this
 * harness's process) is another process, reached through AWS_ENDPOINT_URL with the security account's
 * keys, each account through AssumeRole as configured in its cis-bot.yaml. This is the bot's own memory
 * for `n` accounts, without the stand-in for AWS.
 */
async function cliAgainstEndpointPeak(scenario: Scenario, n: number): Promise<CliPeak> {
  const sandbox = await startSandbox({ scenario, latencyMs: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-bench-'));
  try {
    const accounts = Array.from({ length: n }, (_, i) => `"${accountId(i + 1)}"`).join(', ');
    writeFileSync(join(dir, 'cis-bot.yaml'), `aws:\n  region: ${REGION}\n  accounts: [${accounts}]\n`);
    const credentials = sandbox.credentialsFor(SECURITY);
    return await cliPeak(['audit', '4.1', '--concurrency', '64'], {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL: sandbox.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: REGION,
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      CIS_BOT_CONFIG: join(dir, 'cis-bot.yaml'),
      CIS_BOT_DB: join(dir, 'cis-bot.db'),
    });
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchAudit(log: (line: string) => void = console.log): Promise<Measure[]> {
  const latencyMs = 50;
  const n = 200;
  const scenario = benchScenario(n);
  const all = Array.from({ length: n }, (_, i) => accountId(i + 1));
  const results: Measure[] = [];
  const local = inProcess(await startSandbox({ scenario, latencyMs }));
  try {
    // The first 200-account run pays the process's cold start (module loading, JIT): reported as such.
    results.push(await measure(local, `${n} accts, cold, in-process`, all, 64, latencyMs));
    results.push(await measure(local, '1 account, current creds', 'current', 1, latencyMs));
    results.push(await measure(local, '1 account, AssumeRole', [accountId(1)], 1, latencyMs));
    for (const concurrency of [16, 32, 64]) {
      results.push(await measure(local, `${n} accts, in-process`, all, concurrency, latencyMs));
    }
  } finally {
    await local.close();
  }
  const remote = await childProcess(scenario, latencyMs);
  try {
    for (const concurrency of [32, 64]) {
      results.push(await measure(remote, `${n} accts, child process`, all, concurrency, latencyMs));
    }
  } finally {
    await remote.close();
  }
  const cli = await cliWithSandboxPeak(scenario, all.length);
  const shipped = await cliAgainstEndpointPeak(scenario, all.length);
  log(
    `audit benchmark: CIS 4.1, sandbox with ${latencyMs} ms latency per call (API calls: logical, retries excluded)`,
  );
  log(
    [
      'case'.padEnd(32),
      'conc'.padStart(4),
      'wall ms'.padStart(8),
      'bound ms'.padStart(9),
      'ratio'.padStart(6),
      'API calls'.padStart(10),
      'peak RSS MB'.padStart(12),
      'peak heap MB'.padStart(13),
      'compliant'.padStart(10),
    ].join(' '),
  );
  for (const r of results) {
    log(
      [
        r.label.padEnd(32),
        String(r.concurrency).padStart(4),
        String(r.wallMs).padStart(8),
        String(r.lowerBoundMs).padStart(9),
        r.ratio.toFixed(2).padStart(6),
        String(r.apiCalls).padStart(10),
        String(r.peakRssMb).padStart(12),
        String(r.peakHeapMb).padStart(13),
        `${r.compliant}/${r.accounts}`.padStart(10),
      ].join(' '),
    );
  }
  log(`process maxRSS (resourceUsage): ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  const load = `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
  log(
    `peak RSS, ${n} accounts, the CLI as shipped against an AWS endpoint in another process (node bin/cis-bot.js audit 4.1, AssumeRole into each account, concurrency 64, latency 0): ${shipped.peakRssMb} MB in ${shipped.wallMs} ms (${shipped.compliant}/${n} compliant; target < 200 MB); ${load}`,
  );
  log(
    `peak RSS, ${n} accounts, the CLI with the sandbox in its own process (audit --sandbox: it also parses the 200 KB scenario and serves every call): ${cli.peakRssMb} MB in ${cli.wallMs} ms (${cli.compliant}/${n} compliant); ` +
      'before: 209 MB on main b4d9229 (idle machine), 226-323 MB before issue 16 (the rows above, this harness under tsx)',
  );
  log('bound = sequential round trips of one account x latency x ceil(accounts / concurrency)');
  return results;
}

if (require.main === module) {
  tuneHeapGrowth(); // as the product's entry points do (src/heap-tuning.ts)
  benchAudit().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
