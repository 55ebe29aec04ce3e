/**
 * Runs an audit of one or more controls over targets: the account of the current credentials by default,
 * or a list of accounts reached through AssumeRole, at most `concurrency` at once. Each account is
 * collected ONCE for all the controls (account-audit.ts) and evaluated per control; its result is kept
 * as a row of verdicts and its snapshot dropped (a one-control audit keeps the snapshots: the
 * remediation planner reads them), so memory grows with the results only. Progress is reported as
 * accounts complete. Any account's failure is that account's ERROR; only a run-wide configuration
 * problem (no credentials at all) rejects the whole audit. Implements the core's `Auditor` port.
 */
import type { Config } from '../config/schema';
import { labelsOf, staticAccountDirectory } from '../core/accounts';
import { getControl, selectControls } from '../core/controls/registry';
import type { Control } from '../core/controls/types';
import { ConfigError } from '../core/errors';
import type { AcceptedDeviation } from '../core/evaluate/accepted-deviations';
import {
  type AccountResults,
  type ControlsReport,
  reportForControl,
  summarizeControls,
} from '../core/evaluate/controls-report';
import type { AccountDirectory } from '../core/ports/account-directory';
import type { AuditProgress } from '../core/ports/audit-progress';
import type {
  AuditOutcome,
  Auditor,
  AuditRequest,
  ControlsAuditOutcome,
  ControlsAuditRequest,
} from '../core/ports/auditor';
import type { AccountSnapshot } from '../core/snapshot';
import {
  type AccountAuditOptions,
  type AccountRow,
  type AccountSettings,
  accountRow,
  accountSettings,
  auditAccount,
} from './account-audit';
import { auditWorkerCount, auditWorkerEntry, runInWorkers } from './audit-workers';
import { mapPool } from './pool';
import { AwsSession, type Credentials, type SdkClientConfig } from './session';

export { MissingCredentialsError } from './account-audit';

export interface RunControlsOptions {
  /** The controls, in report order (`selectControls` gives registry order). */
  controls: readonly Control[];
  session: AwsSession;
  /** The region DescribeTrails runs in. */
  region: string;
  /** Accounts to audit through AssumeRole; empty or absent: the account of the current credentials. */
  accounts?: readonly string[];
  labels?: Readonly<Record<string, string>>;
  /** Accounts audited at once (default 8). */
  concurrency?: number;
  /**
   * Confirm each metric-filter judgement with AWS's own evaluator (logs:TestMetricFilter), recorded on the
   * metric-filter link's evidence as `awsConfirmation` (aws.confirm_patterns; default false).
   */
  confirmPatterns?: boolean;
  /** Past this, an account's calls are aborted and it is ERROR (aws.account_timeout_seconds). */
  accountTimeoutMs?: number;
  /** Named deviations in force: the chain through each accepted filter is read and evaluated. */
  deviations?: readonly AcceptedDeviation[];
  /** Told as the audit starts and as each account is done. */
  progress?: AuditProgress;
  /** Keep each account's snapshot (a one-control audit: the remediation planner reads them). */
  keepSnapshots?: boolean;
  /**
   * Worker threads a large run spreads its accounts over (aws.audit_workers resolved; default 0:
   * in-process). Used only when the run has more accounts than one wave of `concurrency` and at least
   * two per worker, keeps no snapshots, has no clock of its own, and its session can be described as
   * plain data; otherwise the run is in-process, with the same report and progress.
   */
  workers?: number;
  /** Observes each worker thread as it starts (tests stop one mid-run). */
  onWorker?: (worker: import('node:worker_threads').Worker) => void;
  now?: () => Date;
}

export interface RunAuditOptions extends Omit<RunControlsOptions, 'controls' | 'keepSnapshots'> {
  control: Control;
}

/** Counts of the accounts done so far, for progress events. */
class Tally {
  done = 0;
  nonCompliant = 0;
  errors = 0;

  add(row: AccountResults): void {
    this.done++;
    if (row.status === 'ERROR') this.errors++;
    else if (row.status === 'NON_COMPLIANT') this.nonCompliant++;
  }
}

/**
 * The worker pool of a run (audit-workers.ts), or undefined when the run stays in-process: workers off,
 * a run of one wave or fewer than two accounts per worker, snapshots kept (a one-control audit for the
 * planner), a clock of the caller's, a session a worker could not make again, no worker entry.
 */
function workerPool(
  opts: RunControlsOptions,
  settings: AccountSettings,
  accounts: readonly string[],
  concurrency: number,
) {
  const workers = Math.min(opts.workers ?? 0, Math.floor(accounts.length / 2));
  if (workers < 1 || accounts.length <= concurrency || opts.keepSnapshots || opts.now) return undefined;
  const described = opts.session.describe();
  const entry = described ? auditWorkerEntry() : undefined;
  if (!described || !entry) return undefined;
  return {
    workers,
    entry,
    setup: {
      session: described.description,
      controls: opts.controls.map((c) => c.id),
      region: opts.region,
      settings,
      logs: described.logger !== undefined,
      measured: described.metrics !== undefined,
    },
    ...(described.logger ? { logger: described.logger } : {}),
    ...(described.metrics ? { metrics: described.metrics } : {}),
  };
}

/** Audits `opts.controls` in the accounts: one collection per account, shared by every control. */
export async function runControlsAudit(
  opts: RunControlsOptions,
): Promise<ControlsAuditOutcome & { snapshots?: AccountSnapshot[] }> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const t0 = performance.now();
  const ids = opts.controls.map((c) => c.id);
  const accounts = [...new Set(opts.accounts ?? [])];
  const targets: Array<string | undefined> = accounts.length === 0 ? [undefined] : accounts;
  if (accounts.length > 0) opts.session.allowAccounts(accounts);
  const concurrency = opts.concurrency ?? 8;
  // A run larger than one wave does not keep every account's clients and role session in the session.
  const release = accounts.length > concurrency && !opts.keepSnapshots;
  const tally = new Tally();
  const progress = (last?: AccountResults) =>
    opts.progress?.({
      total: targets.length,
      done: tally.done,
      nonCompliant: tally.nonCompliant,
      errors: tally.errors,
      controls: ids,
      ...(last ? { last: { accountId: last.accountId, status: last.status } } : {}),
    });
  progress();
  const snapshots: AccountSnapshot[] = [];
  let apiCalls = 0;
  const settings = accountSettings(opts);
  const accountOptions: AccountAuditOptions = {
    ...settings,
    controls: opts.controls,
    session: opts.session,
    region: opts.region,
    now,
  };
  /** One account audited in this process: its row, its snapshot kept or dropped. */
  const auditHere = async (accountId: string | undefined, i: number): Promise<AccountRow> => {
    const audit = await auditAccount(accountOptions, accountId);
    if (opts.keepSnapshots) snapshots[i] = audit.snapshot;
    if (release && accountId !== undefined) opts.session.release(accountId);
    return accountRow(audit);
  };
  const done = ({ row, apiCalls: calls }: AccountRow): AccountResults => {
    apiCalls += calls;
    tally.add(row);
    progress(row);
    return row;
  };
  const pool = workerPool(opts, settings, accounts, concurrency);
  let rows: AccountResults[];
  if (pool) {
    rows = new Array<AccountResults>(accounts.length);
    await runInWorkers({
      ...pool,
      accounts,
      concurrency,
      inProcess: (accountId) => auditHere(accountId, -1),
      onRow: (index, outcome) => {
        rows[index] = done(outcome);
      },
      ...(opts.onWorker ? { onWorker: opts.onWorker } : {}),
    });
  } else {
    rows = await mapPool(targets, concurrency, async (accountId, i) => done(await auditHere(accountId, i)));
  }
  const report: ControlsReport = {
    controls: ids,
    controlTitles: Object.fromEntries(opts.controls.map((c) => [c.id, c.title])),
    startedAt: started.toISOString(),
    finishedAt: now().toISOString(),
    region: opts.region,
    accounts: rows,
    summary: summarizeControls(ids, rows),
    stats: { apiCalls, durationMs: Math.round(performance.now() - t0) },
  };
  return opts.keepSnapshots ? { report, snapshots } : { report };
}

/** Audits one control in the accounts, keeping the snapshots (the remediation planner's input). */
export async function runAudit(opts: RunAuditOptions): Promise<AuditOutcome> {
  const { control, ...rest } = opts;
  const { report, snapshots } = await runControlsAudit({ ...rest, controls: [control], keepSnapshots: true });
  return { report: reportForControl(report, control.id), snapshots: snapshots ?? [] };
}

export interface AwsAuditorDeps {
  /** Base credentials; default: the SDK's default chain. */
  credentials?: Credentials;
  clientConfig?: SdkClientConfig;
  labels?: Readonly<Record<string, string>>;
  /** Reuse a session (its assumed-role credentials are cached). */
  session?: AwsSession;
  /** The accounts audited when a request names none, and their labels; default aws.accounts. */
  accounts?: AccountDirectory;
}

/** The `Auditor` port over AWS, from the validated configuration (`config.aws`). */
export function createAwsAuditor(
  aws: Config['aws'],
  deps: AwsAuditorDeps = {},
): Auditor & { session: AwsSession } {
  const region = aws.region;
  const session =
    deps.session ??
    new AwsSession({
      region: region ?? 'us-east-1',
      roleArnTemplate: aws.role_arn_template,
      roleSessionName: aws.role_session_name,
      roleAccounts: aws.accounts,
      ...(aws.external_id !== undefined ? { externalId: aws.external_id } : {}),
      ...(deps.credentials !== undefined ? { credentials: deps.credentials } : {}),
      ...(deps.clientConfig !== undefined ? { clientConfig: deps.clientConfig } : {}),
    });
  const directory = deps.accounts ?? staticAccountDirectory(aws.accounts, deps.labels);
  /** What every audit of this auditor shares: the region, the accounts and their labels, the settings. */
  async function scope(request: Omit<AuditRequest, 'control'>) {
    const auditRegion = request.region ?? region;
    if (!auditRegion) {
      throw new ConfigError('No AWS region: set aws.region in the configuration file, or AWS_REGION.');
    }
    // Named accounts are audited even when discovery fails (the list only gives them their labels).
    const listed =
      request.accounts === undefined ? await directory.list() : await directory.list().catch(() => []);
    return {
      session,
      region: auditRegion,
      accounts: request.accounts ?? listed.map((a) => a.accountId),
      concurrency: aws.concurrency,
      workers: auditWorkerCount(aws.audit_workers),
      confirmPatterns: aws.confirm_patterns,
      accountTimeoutMs: aws.account_timeout_seconds * 1000,
      labels: { ...deps.labels, ...labelsOf(listed) },
      ...(request.progress ? { progress: request.progress } : {}),
      ...(request.deviations ? { deviations: request.deviations } : {}),
    };
  }
  return {
    session,
    async audit(request: AuditRequest): Promise<AuditOutcome> {
      const control = getControl(request.control);
      return runAudit({ control, ...(await scope(request)) });
    },
    async auditControls(request: ControlsAuditRequest): Promise<ControlsAuditOutcome> {
      const controls = selectControls(request.controls);
      const { report } = await runControlsAudit({ controls, ...(await scope(request)) });
      return { report };
    },
  };
}
