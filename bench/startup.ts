/**
 * Start-up benchmark: whole `cis-bot` processes, as a user starts them, against bare `node -e 0` on the
 * same machine. Each command is spawned N times, alternating with `node -e 0` (pairing keeps the ratio
 * meaningful when the machine's speed drifts), and the medians of wall time and of the pair ratios are
 * printed: `--help`, a sandbox audit of one account (latency 0), the same audit's first run (no code
 * cache yet), and `npx cis-bot --help`. The "before" figures were measured the same way on main before
 * issue 16 (recorded below). Needs a build (`npm run build`): it runs bin/cis-bot.js as users do.
 * Run alone with `npx tsx bench/startup.ts`; `npm run bench` calls `benchStartup()`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'cis-bot.js');

/** Measured on main before issue 16 (2 cores, Node 20): wall seconds, and the ratio to `node -e 0`. */
const BEFORE = {
  help: '0.241 s (3.9x node; issue 16 measured 0.44 s against 0.10 s)',
  audit: '0.29 s (4.85x node)',
  npx: '4 s warm, 15 s cold (issue 16)',
};

/** One account of the bundled demo scenario (the compliant one), as its own scenario. */
const ONE_ACCOUNT_SCENARIO = `accounts:
  - id: "111111111111"
    label: prod
    regions:
      eu-west-2:
        trails: [{ name: main, log_group: cloudtrail }]
        log_groups:
          - name: cloudtrail
            metric_filters:
              - name: unauthorized_api_calls_metric
                pattern: '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }'
                metric_name: unauthorized_api_calls_metric
                metric_namespace: CISBenchmark
        alarms:
          - name: unauthorized_api_calls_alarm
            metric_name: unauthorized_api_calls_metric
            namespace: CISBenchmark
            alarm_actions: ["arn:aws:sns:eu-west-2:111111111111:alerts"]
        topics:
          - name: alerts
            subscriptions: [{ protocol: email, endpoint: secops@example.com, confirmed: true }]
`;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Wall milliseconds of one whole process; throws when it fails (a benchmark of an error is no figure). */
function timeOnce(command: readonly string[], env: NodeJS.ProcessEnv): number {
  const [file, ...args] = command as [string, ...string[]];
  const t0 = performance.now();
  const r = spawnSync(file, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`${command.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`);
  }
  return ms;
}

interface Row {
  what: string;
  ms: number;
  ratio: number;
}

/** `runs` paired runs of `command` and `node -e 0`; `envFor(i)` may give each run its own environment. */
function paired(
  what: string,
  command: readonly string[],
  runs: number,
  envFor: (i: number) => NodeJS.ProcessEnv = () => process.env,
): Row {
  timeOnce(command, envFor(-1)); // warm-up: file cache, the code cache of this command
  const times: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    const node = timeOnce([process.execPath, '-e', '0'], process.env);
    const t = timeOnce(command, envFor(i));
    times.push(t);
    ratios.push(t / node);
  }
  return { what, ms: median(times), ratio: median(ratios) };
}

export interface StartupResult {
  nodeMs: number;
  rows: Row[];
}

export async function benchStartup(
  options: { runs?: number; npxRuns?: number } = {},
): Promise<StartupResult> {
  if (!existsSync(join(ROOT, 'dist', 'cli.cjs'))) throw new Error('run `npm run build` first (dist/cli.cjs)');
  const runs = options.runs ?? 15;
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-startup-'));
  try {
    const scenario = join(dir, 'one-account.yaml');
    writeFileSync(scenario, ONE_ACCOUNT_SCENARIO);
    const node = process.execPath;
    const nodeTimes = Array.from({ length: runs }, () => timeOnce([node, '-e', '0'], process.env));
    const audit = [node, BIN, 'audit', '4.1', '--sandbox', scenario, '--output', 'json'];
    const rows = [
      paired('node bin/cis-bot.js --help', [node, BIN, '--help'], runs),
      paired('audit 4.1 --sandbox (1 account, latency 0)', audit, runs),
      // Each run with an empty cache folder: what the first run after an install costs.
      paired('  the same, first run (no code cache)', audit, runs, (i) => ({
        ...process.env,
        XDG_CACHE_HOME: join(dir, `cache-${i}`),
      })),
      paired('npx cis-bot --help', ['npx', 'cis-bot', '--help'], options.npxRuns ?? 5),
    ];
    console.log(
      `start-up: whole processes, median of ${runs} runs paired with \`node -e 0\` (${median(nodeTimes).toFixed(0)} ms here, ${process.version})`,
    );
    console.log(`${'command'.padEnd(46)}${'wall ms'.padStart(9)}${'x node'.padStart(8)}`);
    for (const r of rows) {
      console.log(`${r.what.padEnd(46)}${r.ms.toFixed(0).padStart(9)}${r.ratio.toFixed(2).padStart(8)}`);
    }
    console.log(
      `before issue 16: --help ${BEFORE.help}; audit --sandbox ${BEFORE.audit}; npx cis-bot --help ${BEFORE.npx}`,
    );
    console.log('targets: --help <= 2.5x node, audit --sandbox (1 account, latency 0) <= 4x node');
    return { nodeMs: median(nodeTimes), rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchStartup().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
