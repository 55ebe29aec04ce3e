/**
 * The audit worker pool: an organization-wide audit spreads its accounts over worker threads so it uses
 * the machine's cores (the bot's CPU per AWS call, ~1.5 ms of SDK and collection work, is what bounds a
 * 1,000-account audit on one event loop: bench/section-scale.ts). Work-queue style: each worker keeps its
 * share of `aws.concurrency` accounts in flight and is given the next account as each one finishes; each
 * account's row of verdicts comes back by postMessage, with the AWS call metrics and the log records the
 * worker's session made meanwhile (forwarded to this thread's metrics and logger).
 *
 * A worker that crashes or exits mid-run loses nothing: its accounts in flight are audited again in this
 * process (not in another worker: an account that crashes a worker must not take the others down), and
 * when no worker is left the rest of the queue runs here too. Workers exist for one run only: they are
 * terminated when the run ends or fails, so an idle server holds none. A run whose session cannot be
 * described as plain data (session.describe()) or whose worker entry cannot be found runs in-process
 * (auditor.ts decides).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AccountResults } from '../core/evaluate/controls-report';
import type { LogFields, Logger, LogLevelName } from '../core/ports/logger';
import type { AwsCallEvent, Metrics } from '../core/ports/metrics';
import { type AccountRow, type AccountSettings, MissingCredentialsError } from './account-audit';
import { mapPool } from './pool';
import type { SessionDescription } from './session';

/**
 * Workers for `aws.audit_workers`: a number as given; `auto`, one core fewer than the machine has, up to
 * 4, on a machine of 3 cores or more, else 0 (in-process). Past 4 the AWS latency, not the CPU, bounds an
 * audit.
 *
 * Why one core is kept: each worker is an isolate of its own that warms its own JIT and collects its own
 * heap, on V8's helper threads that every isolate of the process shares, and the main thread still runs
 * the chat adapters. Measured on 2 cores (1,000 accounts x section 4, 50 ms per call, the AWS stand-in
 * in a child process on the same cores): 2 workers took 17.9-24.5 s of CPU against 11.1-15.1 s in one
 * thread (V8's helper threads alone 5.5-7.2 s against ~3 s), peak RSS 383 against 255 MB, and the wall
 * time was no shorter (10.9-14.7 s against 9.7-12.6 s in alternating runs, about even in the bench);
 * so on 2 cores `auto` stays in-process.
 */
export function auditWorkerCount(setting: number | 'auto', cores = availableParallelism()): number {
  if (setting !== 'auto') return setting;
  return cores >= 3 ? Math.min(cores - 1, 4) : 0;
}

/** What a worker is started with (workerData): everything plain, no functions. */
export interface WorkerSetup {
  session: SessionDescription;
  /** Control ids, in report order (the worker reads them from the registry). */
  controls: string[];
  region: string;
  /** The run's account settings (account-audit.ts accountSettings). */
  settings: AccountSettings;
  /** Forward log records / AWS call events (only when this thread has a logger / metrics). */
  logs: boolean;
  measured: boolean;
}

/** This thread to a worker. */
export type ToWorker = { type: 'audit'; index: number; accountId: string };

/** A worker to this thread. */
export type FromWorker =
  | { type: 'row'; index: number; row: AccountResults; apiCalls: number; calls: AwsCallEvent[] }
  | { type: 'calls'; calls: AwsCallEvent[] }
  | { type: 'log'; level: LogLevelName; msg: string; fields?: LogFields }
  | { type: 'fatal'; missingCredentials: boolean; message: string };

/**
 * How a worker loads its entry: the sibling `audit-worker.js` (dist/src/aws for the server; dist/ for the
 * CLI bundle, beside dist/cli.cjs: scripts/bundle-cli.js), else the TypeScript source through tsx's
 * CommonJS hook (ts-jest, tsx), else none: then the audit runs in-process.
 */
export function auditWorkerEntry(): { script: string; eval: boolean } | undefined {
  const js = join(__dirname, 'audit-worker.js');
  if (existsSync(js)) return { script: js, eval: false };
  const ts = join(__dirname, 'audit-worker.ts');
  if (!existsSync(ts)) return undefined;
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch {
    return undefined;
  }
  // `execArgv: ['--import', 'tsx']` does not apply in a worker; the hook is required by the worker itself.
  return { script: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(ts)});`, eval: true };
}

export interface WorkerPoolRun {
  accounts: readonly string[];
  workers: number;
  /** Accounts in flight over all the workers. */
  concurrency: number;
  setup: WorkerSetup;
  entry: { script: string; eval: boolean };
  logger?: Logger;
  metrics?: Metrics;
  /** Audits one account in this process (a lost worker's accounts). */
  inProcess(accountId: string): Promise<AccountRow>;
  /** Told as each account is done, in completion order. */
  onRow(index: number, outcome: AccountRow): void;
  /** Observes each worker as it starts (tests stop one mid-run). */
  onWorker?: (worker: Worker) => void;
}

/** Runs every account of `run` in worker threads; resolves when each one has its row. */
export function runInWorkers(run: WorkerPoolRun): Promise<void> {
  const { accounts } = run;
  const n = Math.max(1, Math.min(run.workers, accounts.length));
  let next = 0;
  let done = 0;
  let settled = false;
  const started: Worker[] = [];
  const live = new Set<Worker>();
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      // No worker outlives its run (idle RSS): wait for every one to stop before answering.
      void Promise.allSettled(started.map((w) => w.terminate())).then(() =>
        error === undefined ? resolve() : reject(error),
      );
    };
    const rowDone = (index: number, outcome: AccountRow) => {
      if (settled) return;
      run.onRow(index, outcome);
      done++;
      if (done === accounts.length) finish();
    };
    const here = (index: number) =>
      run.inProcess(accounts[index] as string).then((outcome) => rowDone(index, outcome));
    const forwardCalls = (calls: readonly AwsCallEvent[]) => {
      for (const call of calls) run.metrics?.awsCall(call);
    };

    for (let k = 0; k < n; k++) {
      // The run's concurrency split over the workers (the first ones take the remainder).
      const share = Math.max(1, Math.floor(run.concurrency / n) + (k < run.concurrency % n ? 1 : 0));
      const worker = new Worker(run.entry.script, {
        eval: run.entry.eval,
        workerData: run.setup,
        // V8's default young generation: 64 MB (resourceLimits.maxYoungGenerationSizeMb) saved ~4% of
        // the wall time of 1,000 accounts on a quiet machine (10.1 -> 9.7 s) but added ~60 MB of peak
        // RSS (341 -> 400 MB with 2 workers, bench harness), against the < 400 MB target.
      });
      // A worker never holds the process open (shutdown); the run terminates it anyway.
      worker.unref();
      started.push(worker);
      live.add(worker);
      const inFlight = new Set<number>();
      const dispatch = () => {
        while (!settled && inFlight.size < share && next < accounts.length) {
          const index = next++;
          inFlight.add(index);
          const message: ToWorker = { type: 'audit', index, accountId: accounts[index] as string };
          worker.postMessage(message);
        }
      };
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'row':
            forwardCalls(message.calls);
            if (!inFlight.delete(message.index)) return;
            rowDone(message.index, { row: message.row, apiCalls: message.apiCalls });
            dispatch();
            return;
          case 'calls':
            forwardCalls(message.calls);
            return;
          case 'log':
            run.logger?.[message.level](message.msg, message.fields);
            return;
          case 'fatal':
            // Only a run-wide problem (no credentials at all) is fatal, as in-process.
            finish(
              message.missingCredentials
                ? new MissingCredentialsError(new Error(message.message))
                : new Error(message.message),
            );
            return;
        }
      });
      const lost = (reason: string) => {
        if (!live.delete(worker) || settled) return;
        run.logger?.warn(
          'an audit worker stopped: its accounts in flight are audited again in this process',
          {
            reason,
            accounts: inFlight.size,
          },
        );
        const rescued = [...inFlight];
        inFlight.clear();
        // With no worker left, the queue's rest is audited here as well, at the run's concurrency.
        if (live.size === 0) {
          while (next < accounts.length) rescued.push(next++);
        }
        mapPool(rescued, run.concurrency, here).catch(finish);
      };
      worker.on('error', (error) => lost(error.message));
      worker.on('exit', (code) => lost(`exit code ${code}`));
      run.onWorker?.(worker);
      dispatch();
    }
  });
}
