/**
 * Organization-scale benchmark (issue 18 part 5): CIS section 4 (all 16 controls, one collection per
 * account) over a generated organization of 1,000 compliant member accounts in the sandbox, 50 ms of
 * latency per call, through the product's audit (`runControlsAudit`, as `/cis 4 audit` and
 * `cis-bot audit 4` run it) at the configuration's highest concurrency. Prints:
 *  - wall time against the critical-path bound: the sequential round trips of ONE account (measured: one
 *    account audited alone at 50 and at 200 ms per call, the growth of its wall time over the 150 ms
 *    added per call, so the bot's own time per account cancels out) x latency x
 *    ceil(accounts / concurrency); the target ratio is <= 1.5; beside it the CPU bound: the bot's and the
 *    stand-in's CPU time over the cores (both share them here), which above the critical path is what
 *    bounds the run;
 *  - the same with the other audit_workers setting (2 workers where `auto` stays in-process), and at
 *    the lower concurrencies 8 (aws.concurrency's default), 16 and 32: where the cores start to bound;
 *  - API calls per account (logical calls the audit made, and calls the sandbox answered: retries count);
 *  - the same run once more after all the others (warm, as a server's later audits), and once more
 *    in-process under V8's sampling profiler: where the main thread's time goes (AWS SDK, Node's runtime,
 *    garbage collection, cis-bot's own code; support/cpu-breakdown.ts), and the ratio the SDK's and Node's
 *    share alone would give on one thread;
 *  - the same with 20% of all calls throttled: identical verdicts (every account x control), wall time;
 *  - peak RSS of the process during the 1,000-account run (target < 400 MB), and its heap after a full
 *    collection with the run's report still held (the results; each run keeps only its verdicts after);
 *  - `benchServerIdleRss`: the idle RSS of the bot server (`node dist/src/main.js`, its own process,
 *    after start-up; target < 150 MB), when the build exists.
 * Where the sandbox runs: the sandbox stands in for remote AWS, whose CPU and memory are not the bot's, so
 * the main figures run it in a CHILD PROCESS (bench/support/sandbox-process.ts; on a 2-core machine it
 * still competes with the bot for the cores). The bot's own CPU time per AWS call is printed with them,
 * and the 1,000-account run is repeated with the sandbox IN THIS PROCESS (sharing the bot's CPU, event
 * loop and memory, as the figures before issue 18's scale work were measured) so both are on record.
 * The bound is the same in both: the measured sequential round trips of one account alone x latency x
 * ceil(accounts / concurrency). Every figure line also prints os.loadavg(), since the machine is shared.
 * Run alone with `npx tsx bench/section-scale.ts`; `npm run bench` calls `benchSectionScale()`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditWorkerCount } from '../src/aws/audit-workers';
import { runControlsAudit } from '../src/aws/auditor';
import { AwsSession } from '../src/aws/session';
import { selectControls } from '../src/core/controls';
import type { ControlsReport } from '../src/core/evaluate/controls-report';
import { tuneHeapGrowth } from '../src/heap-tuning';
import { type Sandbox, type SandboxOptions, startSandbox } from '../src/sandbox';
import { bundledScenario, startSandboxRun } from '../src/sandbox-run';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../test/support/fake-slack-api';
import { type CpuBreakdown, withCpuBreakdown } from './support/cpu-breakdown';
import { sandboxProcess } from './support/sandbox-process';

const REGION = 'eu-west-2';
const MGMT = '999988887777';
const FIRST = 200000000000;
const LATENCY_MS = 50;
/** The lone account's second latency: its wall time grows by this minus LATENCY_MS per round trip. */
const SLOW_LATENCY_MS = 200;
const ACCOUNTS = 1000;
/** aws.concurrency's highest value (src/config/schema.ts). */
const CONCURRENCY = 64;
const SECTION = selectControls(['4']);
/** aws.audit_workers' default (`auto`) on this machine: 0 on 2 cores (why in src/aws/audit-workers.ts). */
const WORKERS = auditWorkerCount('auto');
/** The other setting, run once for comparison: 2 workers where auto stays in-process, else in-process. */
const OTHER_WORKERS = WORKERS === 0 ? 2 : 0;
/** Lower concurrencies of the same run (8 is aws.concurrency's default): where the CPU starts to bound. */
const SWEEP = [8, 16, 32];
const CORES = availableParallelism();

const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
const mb = (bytes: number) => Math.round(bytes / 1048576);

/** Figures measured before issue 18's scale work (main b4d9229, idle machine, sandbox in-process). */
const BEFORE = {
  oneAccount: '293 ms = 5 round trips',
  wall: '14,845 ms vs bound 4,000 ms, ratio 3.71',
  peakRss: '505 MB',
  throttled: 'wall 44,701 ms (ratio 11.18), peak RSS 803 MB',
  serverIdleRss: '132 MB',
};

function organization(throttleRate: number): SandboxOptions {
  return {
    scenario: {
      organization: { management_account: MGMT, generate: { accounts: ACCOUNTS, regions: [REGION] } },
      accounts: [{ id: MGMT, label: 'management' }],
    },
    latencyMs: LATENCY_MS,
    throttleRate,
    seed: 7,
  };
}

const THROTTLED = /Throttl|TooManyRequests/i;

/** A full collection between runs when the bench runs with --expose-gc (each run's peak is its own). */
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** The sandbox as the audit sees it, wherever it runs. */
interface Target {
  where: 'child process' | 'in-process';
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  calls(): Promise<{ calls: number; throttled: number }>;
  reset(): Promise<void>;
  /** CPU time the sandbox's own process has spent so far (ms): child process only, where /proc exists. */
  cpuMs?(): number | undefined;
  /** Every later call waits `ms` (child process only). */
  setLatency?(ms: number): Promise<void>;
  close(): Promise<void>;
}

async function childTarget(throttleRate: number): Promise<Target> {
  const child = await sandboxProcess(organization(throttleRate));
  return {
    where: 'child process',
    endpoint: child.endpoint,
    credentials: await child.credentialsFor(MGMT),
    calls: () => child.calls(),
    reset: () => child.resetCalls(),
    cpuMs: () => child.cpuMs(),
    setLatency: (ms) => child.setLatency(ms),
    close: () => child.close(),
  };
}

async function inProcessTarget(throttleRate: number): Promise<Target> {
  const sandbox: Sandbox = await startSandbox(organization(throttleRate));
  return {
    where: 'in-process',
    endpoint: sandbox.endpoint,
    credentials: sandbox.credentialsFor(MGMT),
    calls: async () => ({
      calls: sandbox.calls.length,
      throttled: sandbox.calls.filter((c) => THROTTLED.test(c.errorCode ?? '')).length,
    }),
    reset: async () => sandbox.resetCalls(),
    close: () => sandbox.close(),
  };
}

interface Run {
  wallMs: number;
  /** CPU time of this process (user + system) during the run. */
  cpuMs: number;
  /** Every account's status per control (what "identical verdicts" compares); the report itself is dropped. */
  verdicts: string[];
  compliant: number;
  apiCalls: number;
  sandboxCalls: number;
  throttled: number;
  peakRssMb: number;
  /** Heap in use after a full collection with the run's report still held (--expose-gc), else NaN. */
  heapWithReportMb: number;
  /** Worker threads the audit ran (0: in-process). */
  workers: number;
  /** CPU time of the sandbox's child process during the run (ms), when it is one and /proc is there. */
  sandboxCpuMs?: number;
}

/** The section over `accounts`, sampling the process's RSS every 5 ms. */
async function auditSection(
  target: Target,
  accounts: string[],
  concurrency: number,
  workers = 0,
): Promise<Run> {
  const session = new AwsSession({
    region: REGION,
    credentials: target.credentials,
    clientConfig: { endpoint: target.endpoint },
  });
  await target.reset();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 5);
  let started = 0;
  // The process's CPU: the main thread's and the workers'.
  const cpu0 = process.cpuUsage();
  const sandboxCpu0 = target.cpuMs?.();
  const t0 = performance.now();
  try {
    const { report } = await runControlsAudit({
      controls: SECTION,
      session,
      region: REGION,
      accounts,
      concurrency,
      workers,
      onWorker: () => void started++,
    });
    const wallMs = Math.round(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    const sandboxCpu1 = target.cpuMs?.();
    const counts = await target.calls();
    const collected = typeof (globalThis as { gc?: unknown }).gc === 'function';
    gc();
    const heapWithReportMb = collected ? mb(process.memoryUsage().heapUsed) : Number.NaN;
    return {
      wallMs,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      verdicts: verdicts(report),
      compliant: report.accounts.filter((r) => r.status === 'COMPLIANT').length,
      apiCalls: report.stats.apiCalls ?? 0,
      sandboxCalls: counts.calls,
      throttled: counts.throttled,
      peakRssMb: mb(peakRss),
      heapWithReportMb,
      workers: started,
      ...(sandboxCpu0 !== undefined && sandboxCpu1 !== undefined
        ? { sandboxCpuMs: sandboxCpu1 - sandboxCpu0 }
        : {}),
    };
  } finally {
    clearInterval(sampler);
    session.destroy();
  }
}

/** Every account's status per control, in a stable order: what "identical verdicts" compares. */
function verdicts(report: ControlsReport): string[] {
  return report.accounts
    .map((row) => `${row.accountId} ${row.controls.map((c) => `${c.control}=${c.status}`).join(' ')}`)
    .sort();
}

/** RSS of the bot server (the built `dist/src/main.js`, Slack over a fake URL) once it is listening and idle. */
async function serverIdleRss(): Promise<number | undefined> {
  const root = join(__dirname, '..');
  const main = join(root, 'dist', 'src', 'main.js');
  if (!existsSync(main)) return undefined;
  const run = await startSandboxRun(bundledScenario('audit-demo'), { roleAccounts: [] });
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-bench-'));
  writeFileSync(
    join(dir, 'cis-bot.yaml'),
    `aws:\n  region: ${run.defaultRegion}\n  accounts: [${run.otherAccounts.map((a) => `"${a}"`).join(', ')}]\n`,
  );
  const slack = await FakeSlackApi.start();
  const credentials = run.sandbox.credentialsFor(run.callerAccount);
  const child = spawn(process.execPath, [main], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL: run.sandbox.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: run.defaultRegion,
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      CIS_BOT_CONFIG: join(dir, 'cis-bot.yaml'),
      CIS_BOT_DB: join(dir, 'cis-bot.db'),
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: 'bench-secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'info',
    },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (/cis-bot listening/.test(err)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${err.slice(-500)}`)));
    });
    // Idle: start-up's garbage has had time to be collected.
    await new Promise((r) => setTimeout(r, 3000));
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    return rss ? Math.round(Number(rss) / 1024) : undefined;
  } finally {
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await slack.close();
    await run.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SectionScaleResult {
  accounts: number;
  concurrency: number;
  roundTripsPerAccount: number;
  boundMs: number;
  wallMs: number;
  ratio: number;
  /** The bot's CPU time per AWS call answered (sandbox in a child process). */
  botCpuMsPerCall: number;
  apiCallsPerAccount: number;
  sandboxCallsPerAccount: number;
  throttledWallMs: number;
  throttledCalls: number;
  identicalVerdicts: boolean;
  compliant: number;
  peakRssMb: number;
  heapAfterMb: number;
  inProcessWallMs: number;
  inProcessRatio: number;
  inProcessPeakRssMb: number;
  /** Worker threads of the main runs (aws.audit_workers `auto`). */
  workers: number;
  /** The calm child-process run again with the other worker setting (OTHER_WORKERS). */
  otherWorkers: number;
  otherWorkersWallMs: number;
  otherWorkersRatio: number;
  otherWorkersPeakRssMb: number;
  /** The 1,000-account run's CPU bound: (bot CPU + sandbox child CPU) / cores, in ms. */
  cpuBoundMs?: number;
  /** The calm run at lower concurrencies: its own critical-path bound, ratio and CPU bound. */
  sweep: { concurrency: number; wallMs: number; boundMs: number; ratio: number; cpuBoundMs?: number }[];
  /** The 1,000-account run at CONCURRENCY once more after all the others (JIT warm: a server's later audits). */
  warmWallMs: number;
  warmRatio: number;
  /** Where the main thread's time went in a warm in-process run (sampling profiler), in ms. */
  mainThread: CpuBreakdown;
  /**
   * The ratio the AWS SDK's and Node's share of that thread alone would give if nothing else ran on it:
   * the least an in-process audit can reach on this machine, whatever cis-bot's own code costs.
   */
  sdkAndNodeRatio: number;
}

const ratioOf = (wallMs: number, boundMs: number) => Math.round((wallMs / boundMs) * 100) / 100;
const compliantIn = (run: Run) => run.compliant;
/** How the cores were shared: the sandbox child's CPU during the run (empty where /proc is absent). */
const sandboxCpu = (run: Run) =>
  run.sandboxCpuMs === undefined
    ? ''
    : `; sandbox child CPU ${run.sandboxCpuMs} ms = ${Math.round((run.sandboxCpuMs / Math.max(1, run.sandboxCalls)) * 1000) / 1000} ms per call`;
/** Whether two runs judged every account x control alike. */
const sameVerdicts = (a: Run, b: Run) => JSON.stringify(a.verdicts) === JSON.stringify(b.verdicts);
const verdictsWord = (a: Run, b: Run) => (sameVerdicts(a, b) ? 'IDENTICAL' : 'DIFFERENT');
const perCall = (run: Run) => Math.round((run.cpuMs / Math.max(1, run.sandboxCalls)) * 100) / 100;
/**
 * The wall time the CPU alone allows: the bot's and the AWS stand-in's CPU time spread over the machine's
 * cores (both run on them here). When it exceeds the critical-path bound, the cores, not the round
 * trips, bound the run.
 */
const cpuBoundOf = (run: Run) =>
  run.sandboxCpuMs === undefined ? undefined : Math.round((run.cpuMs + run.sandboxCpuMs) / CORES);
const cpuBoundText = (run: Run, boundMs: number) => {
  const cpu = cpuBoundOf(run);
  return cpu === undefined
    ? ''
    : `; CPU bound ${cpu} ms ((bot + sandbox CPU) / ${CORES} cores${cpu > boundMs ? ': above the critical path' : ''})`;
};

/** Runs `work` against a sandbox made by `make`, always closing it. */
async function withTarget<T>(make: () => Promise<Target>, work: (t: Target) => Promise<T>): Promise<T> {
  const target = await make();
  try {
    return await work(target);
  } finally {
    await target.close();
  }
}

export async function benchSectionScale(
  log: (line: string) => void = console.log,
): Promise<SectionScaleResult> {
  const members = Array.from({ length: ACCOUNTS }, (_, i) => String(FIRST + i));
  const waves = Math.ceil(ACCOUNTS / CONCURRENCY);
  log(
    `section scale: ${ACCOUNTS} generated accounts, CIS section 4 (${SECTION.length} controls), ${LATENCY_MS} ms/call, concurrency ${CONCURRENCY}; ${load()}`,
  );
  log(
    `  before (main b4d9229, idle machine, sandbox in-process): one account ${BEFORE.oneAccount}; 1000 accounts ${BEFORE.wall}; ` +
      `peak RSS ${BEFORE.peakRss}; 20% throttled: ${BEFORE.throttled}; server idle RSS ${BEFORE.serverIdleRss}`,
  );

  // Sandbox in a child process (remote AWS's stand-in): warm-up (module loading, JIT), one account
  // alone at two latencies (its sequential round trips: the bound's first factor), then every account.
  // Counting round trips as the wall time over the latency was off by one whenever the bot's own ~40-50 ms
  // per account crossed a multiple of 50 ms (292 ms read 5 round trips, 300 ms 6).
  const { one, oneSlow, all, other, swept, warm, profiled } = await withTarget(
    () => childTarget(0),
    async (calm) => {
      await auditSection(calm, [members[ACCOUNTS - 1] as string], 1);
      const alone = await auditSection(calm, [members[0] as string], 1);
      await calm.setLatency?.(SLOW_LATENCY_MS);
      const aloneSlow = await auditSection(calm, [members[0] as string], 1);
      await calm.setLatency?.(LATENCY_MS);
      const all = await auditSection(calm, members, CONCURRENCY, WORKERS);
      gc();
      const other = await auditSection(calm, members, CONCURRENCY, OTHER_WORKERS);
      const swept: { concurrency: number; run: Run }[] = [];
      for (const concurrency of SWEEP) {
        gc();
        swept.push({ concurrency, run: await auditSection(calm, members, concurrency, WORKERS) });
      }
      // Every run above starts from the JIT state the runs before it left (`all` from one account's
      // warm-up); a server's later audits run warm: the same run again, then once more in-process under
      // the sampling profiler, for where the main thread's time goes.
      gc();
      const warm = await auditSection(calm, members, CONCURRENCY, WORKERS);
      gc();
      const profiled = await withCpuBreakdown(() => auditSection(calm, members, CONCURRENCY, 0));
      return { one: alone, oneSlow: aloneSlow, all, other, swept, warm, profiled };
    },
  );
  const heapAfterMb = all.heapWithReportMb;
  const roundTrips = Math.round((oneSlow.wallMs - one.wallMs) / (SLOW_LATENCY_MS - LATENCY_MS));
  const boundMs = roundTrips * LATENCY_MS * waves;
  const ratio = ratioOf(all.wallMs, boundMs);
  const apiCallsPerAccount = Math.round((all.apiCalls / ACCOUNTS) * 10) / 10;
  const sandboxCallsPerAccount = Math.round((all.sandboxCalls / ACCOUNTS) * 10) / 10;
  const compliant = compliantIn(all);
  log(
    `  one account alone: ${one.wallMs} ms at ${LATENCY_MS} ms per call, ${oneSlow.wallMs} ms at ${SLOW_LATENCY_MS}: ${roundTrips} sequential round trips (${one.sandboxCalls} calls)`,
  );
  log(
    `  ${ACCOUNTS} accounts, sandbox in a child process, audit_workers auto (${all.workers} workers on ${CORES} cores): wall ${all.wallMs} ms, bound ${boundMs} ms (${roundTrips} x ${LATENCY_MS} ms x ${waves} waves), ratio ${ratio} (target <= 1.5)${cpuBoundText(all, boundMs)}; ` +
      `bot CPU ${all.cpuMs} ms = ${perCall(all)} ms per AWS call; ${apiCallsPerAccount} API calls per account (${sandboxCallsPerAccount} answered by the sandbox); ` +
      `${compliant}/${ACCOUNTS} COMPLIANT; peak RSS of the bot ${all.peakRssMb} MB (target < 400), heap after it with its report held ${heapAfterMb} MB${sandboxCpu(all)}; ${load()}`,
  );
  log(
    `  the same with audit_workers ${OTHER_WORKERS} (${other.workers} workers): wall ${other.wallMs} ms, ratio ${ratioOf(other.wallMs, boundMs)}${cpuBoundText(other, boundMs)}; ` +
      `bot CPU ${other.cpuMs} ms = ${perCall(other)} ms per AWS call; verdicts ${verdictsWord(other, all)}; ` +
      `peak RSS ${other.peakRssMb} MB${sandboxCpu(other)}; ${load()}`,
  );
  const sweep = swept.map(({ concurrency, run }) => {
    const sweepWaves = Math.ceil(ACCOUNTS / concurrency);
    const bound = roundTrips * LATENCY_MS * sweepWaves;
    const sweepRatio = ratioOf(run.wallMs, bound);
    log(
      `  the same at concurrency ${concurrency}: wall ${run.wallMs} ms, bound ${bound} ms (${roundTrips} x ${LATENCY_MS} ms x ${sweepWaves} waves), ratio ${sweepRatio}${cpuBoundText(run, bound)}; ` +
        `bot CPU ${perCall(run)} ms per AWS call; verdicts ${verdictsWord(run, all)}; peak RSS ${run.peakRssMb} MB; ${load()}`,
    );
    const cpuBoundMs = cpuBoundOf(run);
    return {
      concurrency,
      wallMs: run.wallMs,
      boundMs: bound,
      ratio: sweepRatio,
      ...(cpuBoundMs !== undefined ? { cpuBoundMs } : {}),
    };
  });

  const warmRatio = ratioOf(warm.wallMs, boundMs);
  log(
    `  the same again once warm (after the runs above, as a server's later audits): wall ${warm.wallMs} ms, ratio ${warmRatio}${cpuBoundText(warm, boundMs)}; ` +
      `bot CPU ${perCall(warm)} ms per AWS call; verdicts ${verdictsWord(warm, all)}; peak RSS ${warm.peakRssMb} MB; ${load()}`,
  );
  const mainThread = profiled.cpu;
  const calls = Math.max(1, profiled.result.sandboxCalls);
  const perCallOf = (ms: number) => Math.round((ms / calls) * 1000) / 1000;
  const sdkAndNodeRatio = ratioOf(mainThread.awsSdk + mainThread.node, boundMs);
  log(
    `  main thread of one more warm run, in-process under the sampling profiler (wall ${profiled.result.wallMs} ms): ` +
      `AWS SDK ${mainThread.awsSdk} ms (${perCallOf(mainThread.awsSdk)} ms per call), Node runtime (HTTP, sockets, crypto, promises) ${mainThread.node} ms (${perCallOf(mainThread.node)}), ` +
      `garbage collection ${mainThread.gc} ms (${perCallOf(mainThread.gc)}), cis-bot ${mainThread.cisBot} ms (${perCallOf(mainThread.cisBot)}), idle ${mainThread.idle} ms, other ${mainThread.other} ms; ` +
      `the SDK and Node alone would make the ratio ${sdkAndNodeRatio} on one thread; ${load()}`,
  );

  gc();
  const throttled = await withTarget(
    () => childTarget(0.2),
    (t) => auditSection(t, members, CONCURRENCY, WORKERS),
  );
  const identicalVerdicts = sameVerdicts(throttled, all);
  log(
    `  the same at concurrency ${CONCURRENCY} with 20% of calls throttled (${throttled.workers} audit workers): wall ${throttled.wallMs} ms (ratio ${ratioOf(throttled.wallMs, boundMs)}), ` +
      `${throttled.throttled} throttled answers, ${throttled.sandboxCalls} calls; verdicts ${identicalVerdicts ? 'IDENTICAL' : 'DIFFERENT'} ` +
      `(${compliantIn(throttled)}/${ACCOUNTS} COMPLIANT); bot CPU ${perCall(throttled)} ms per call; peak RSS of the bot ${throttled.peakRssMb} MB${sandboxCpu(throttled)}; ${load()}`,
  );

  // The same calm run with the sandbox sharing this process (how the "before" figures were taken).
  gc();
  const local = await withTarget(
    () => inProcessTarget(0),
    (t) => auditSection(t, members, CONCURRENCY),
  );
  log(
    `  ${ACCOUNTS} accounts, sandbox IN this process (bot + sandbox on one event loop, no workers): wall ${local.wallMs} ms, ratio ${ratioOf(local.wallMs, boundMs)} ` +
      `against the same bound; CPU ${local.cpuMs} ms (bot + sandbox); ${compliantIn(local)}/${ACCOUNTS} COMPLIANT; peak RSS ${local.peakRssMb} MB (bot + sandbox); ${load()}`,
  );

  const allCpuBoundMs = cpuBoundOf(all);
  return {
    accounts: ACCOUNTS,
    concurrency: CONCURRENCY,
    roundTripsPerAccount: roundTrips,
    boundMs,
    wallMs: all.wallMs,
    ratio,
    botCpuMsPerCall: perCall(all),
    apiCallsPerAccount,
    sandboxCallsPerAccount,
    throttledWallMs: throttled.wallMs,
    throttledCalls: throttled.throttled,
    identicalVerdicts,
    compliant,
    peakRssMb: all.peakRssMb,
    heapAfterMb,
    inProcessWallMs: local.wallMs,
    inProcessRatio: ratioOf(local.wallMs, boundMs),
    inProcessPeakRssMb: local.peakRssMb,
    workers: all.workers,
    otherWorkers: other.workers,
    otherWorkersWallMs: other.wallMs,
    otherWorkersRatio: ratioOf(other.wallMs, boundMs),
    otherWorkersPeakRssMb: other.peakRssMb,
    ...(allCpuBoundMs !== undefined ? { cpuBoundMs: allCpuBoundMs } : {}),
    sweep,
    warmWallMs: warm.wallMs,
    warmRatio,
    mainThread,
    sdkAndNodeRatio,
  };
}

/** The bot server's idle RSS alone (also part of benchSectionScale's lines). */
export async function benchServerIdleRss(
  log: (line: string) => void = console.log,
): Promise<number | undefined> {
  const rss = await serverIdleRss();
  log(
    rss === undefined
      ? 'server idle RSS: not measured (no dist/: run `npm run build`)'
      : `server idle RSS (node dist/src/main.js, Slack HTTP mode, SQLite, listening, idle 3 s): ${rss} MB (target < 150; before: ${BEFORE.serverIdleRss}); ${load()}`,
  );
  return rss;
}

if (require.main === module) {
  tuneHeapGrowth(); // as the product's entry points do (src/heap-tuning.ts)
  benchSectionScale().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
