/**
 * Organization-scale benchmark (issue 18 part 5): CIS section 4 (all 16 controls, one collection per
 * account) over a generated organization of 1,000 compliant member accounts in the sandbox, 50 ms of
 * latency per call, through the product's audit (`runControlsAudit`, as `/cis 4 audit` and
 * `cis-bot audit 4` run it) at the configuration's highest concurrency. Prints:
 *  - wall time against the critical-path bound: the sequential round trips of ONE account (measured: one
 *    account audited alone, its wall time over the latency, rounded down) x latency x
 *    ceil(accounts / concurrency); the target ratio is <= 1.5;
 *  - API calls per account (logical calls the audit made, and calls the sandbox answered: retries count);
 *  - the same with 20% of all calls throttled: identical verdicts (every account x control), wall time;
 *  - peak RSS of the process during the 1,000-account run (target < 400 MB), and the heap after it;
 *  - `benchServerIdleRss`: the idle RSS of the bot server (`node dist/src/main.js`, its own process,
 *    after start-up; target < 150 MB), when the build exists.
 * The sandbox runs in this process (it shares the CPU and the event loop with the audit: the ratio is an
 * upper bound of what a remote AWS endpoint would give). Every figure line also prints os.loadavg(),
 * since the machine is shared.
 * Run alone with `npx tsx bench/section-scale.ts`; `npm run bench` calls `benchSectionScale()`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runControlsAudit } from '../src/aws/auditor';
import { AwsSession } from '../src/aws/session';
import { selectControls } from '../src/core/controls';
import type { ControlsReport } from '../src/core/evaluate/controls-report';
import { type Sandbox, startSandbox } from '../src/sandbox';
import { bundledScenario, startSandboxRun } from '../src/sandbox-run';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../test/support/fake-slack-api';

const REGION = 'eu-west-2';
const MGMT = '999988887777';
const FIRST = 200000000000;
const LATENCY_MS = 50;
const ACCOUNTS = 1000;
/** aws.concurrency's highest value (src/config/schema.ts). */
const CONCURRENCY = 64;
const SECTION = selectControls(['4']);

const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
const mb = (bytes: number) => Math.round(bytes / 1048576);

async function organizationSandbox(throttleRate: number): Promise<Sandbox> {
  return startSandbox({
    scenario: {
      organization: { management_account: MGMT, generate: { accounts: ACCOUNTS, regions: [REGION] } },
      accounts: [{ id: MGMT, label: 'management' }],
    },
    latencyMs: LATENCY_MS,
    throttleRate,
    seed: 7,
  });
}

interface Run {
  wallMs: number;
  report: ControlsReport;
  sandboxCalls: number;
  throttled: number;
  peakRssMb: number;
}

/** The section over `accounts`, sampling the process's RSS every 5 ms. */
async function auditSection(sandbox: Sandbox, accounts: string[], concurrency: number): Promise<Run> {
  const session = new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(MGMT),
    clientConfig: { endpoint: sandbox.endpoint },
  });
  sandbox.resetCalls();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 5);
  const t0 = performance.now();
  try {
    const { report } = await runControlsAudit({
      controls: SECTION,
      session,
      region: REGION,
      accounts,
      concurrency,
    });
    const wallMs = Math.round(performance.now() - t0);
    return {
      wallMs,
      report,
      sandboxCalls: sandbox.calls.length,
      throttled: sandbox.calls.filter((c) => /Throttl|TooManyRequests/i.test(c.errorCode ?? '')).length,
      peakRssMb: mb(peakRss),
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
  apiCallsPerAccount: number;
  sandboxCallsPerAccount: number;
  throttledWallMs: number;
  throttledCalls: number;
  identicalVerdicts: boolean;
  compliant: number;
  peakRssMb: number;
  heapAfterMb: number;
}

export async function benchSectionScale(
  log: (line: string) => void = console.log,
): Promise<SectionScaleResult> {
  const members = Array.from({ length: ACCOUNTS }, (_, i) => String(FIRST + i));
  log(
    `section scale: ${ACCOUNTS} generated accounts, CIS section 4 (${SECTION.length} controls), ${LATENCY_MS} ms/call; ${load()}`,
  );

  const calm = await organizationSandbox(0);
  let one: Run;
  let all: Run;
  try {
    // Warm-up (module loading, JIT), then one account alone: its sequential round trips.
    await auditSection(calm, [members[ACCOUNTS - 1] as string], 1);
    one = await auditSection(calm, [members[0] as string], 1);
    all = await auditSection(calm, members, CONCURRENCY);
  } finally {
    await calm.close();
  }
  (globalThis as { gc?: () => void }).gc?.();
  const heapAfterMb = mb(process.memoryUsage().heapUsed);
  const roundTrips = Math.floor(one.wallMs / LATENCY_MS);
  const boundMs = roundTrips * LATENCY_MS * Math.ceil(ACCOUNTS / CONCURRENCY);
  const ratio = Math.round((all.wallMs / boundMs) * 100) / 100;
  const apiCallsPerAccount = Math.round(((all.report.stats.apiCalls ?? 0) / ACCOUNTS) * 10) / 10;
  const sandboxCallsPerAccount = Math.round((all.sandboxCalls / ACCOUNTS) * 10) / 10;
  const compliant = all.report.accounts.filter((r) => r.status === 'COMPLIANT').length;
  log(
    `  one account alone: ${one.wallMs} ms = ${roundTrips} sequential round trips of ${LATENCY_MS} ms (${one.sandboxCalls} calls)`,
  );
  log(
    `  ${ACCOUNTS} accounts, concurrency ${CONCURRENCY}: wall ${all.wallMs} ms, bound ${boundMs} ms (${roundTrips} x ${LATENCY_MS} ms x ${Math.ceil(ACCOUNTS / CONCURRENCY)} waves), ratio ${ratio} (target <= 1.5); ` +
      `${apiCallsPerAccount} API calls per account (${sandboxCallsPerAccount} answered by the sandbox); ${compliant}/${ACCOUNTS} COMPLIANT; ` +
      `peak RSS ${all.peakRssMb} MB (target < 400), heap after ${heapAfterMb} MB; ${load()}`,
  );

  const throttledSandbox = await organizationSandbox(0.2);
  let throttled: Run;
  try {
    throttled = await auditSection(throttledSandbox, members, CONCURRENCY);
  } finally {
    await throttledSandbox.close();
  }
  const identicalVerdicts =
    JSON.stringify(verdicts(throttled.report)) === JSON.stringify(verdicts(all.report));
  log(
    `  the same with 20% of calls throttled: wall ${throttled.wallMs} ms (ratio ${Math.round((throttled.wallMs / boundMs) * 100) / 100}), ` +
      `${throttled.throttled} throttled answers, ${throttled.sandboxCalls} calls; verdicts ${identicalVerdicts ? 'IDENTICAL' : 'DIFFERENT'} ` +
      `(${throttled.report.accounts.filter((r) => r.status === 'COMPLIANT').length}/${ACCOUNTS} COMPLIANT); peak RSS ${throttled.peakRssMb} MB; ${load()}`,
  );

  return {
    accounts: ACCOUNTS,
    concurrency: CONCURRENCY,
    roundTripsPerAccount: roundTrips,
    boundMs,
    wallMs: all.wallMs,
    ratio,
    apiCallsPerAccount,
    sandboxCallsPerAccount,
    throttledWallMs: throttled.wallMs,
    throttledCalls: throttled.throttled,
    identicalVerdicts,
    compliant,
    peakRssMb: all.peakRssMb,
    heapAfterMb,
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
      : `server idle RSS (node dist/src/main.js, Slack HTTP mode, SQLite, listening, idle 3 s): ${rss} MB (target < 150); ${load()}`,
  );
  return rss;
}

if (require.main === module) {
  benchSectionScale().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
