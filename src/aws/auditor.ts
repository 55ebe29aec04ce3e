/**
 * Runs an audit over targets: the account of the current credentials by default, or a list of accounts
 * reached through AssumeRole, with bounded concurrency. Each account is collected and evaluated on its
 * own; any failure (AssumeRole denied, an unexpected exception) becomes that account's ERROR finding and
 * never hides another account's result. Only a run-wide configuration problem (no credentials at all)
 * rejects the whole audit. Implements the core's `Auditor` port.
 */
import type { Config } from '../config/schema';
import { labelsOf, staticAccountDirectory } from '../core/accounts';
import { getControl } from '../core/controls/registry';
import { type Control, type MetricFilterControl, unhandledKind } from '../core/controls/types';
import { ConfigError, UsageError } from '../core/errors';
import { evaluate } from '../core/evaluate/evaluate';
import { type AuditReport, summarize } from '../core/evaluate/findings';
import type { AccountDirectory } from '../core/ports/account-directory';
import type { AuditOutcome, Auditor, AuditRequest } from '../core/ports/auditor';
import { type AccountSnapshot, type ProbeError, probeError } from '../core/snapshot';
import { collectAccount } from './collector';
import { type ClientsAt, confirmFinding } from './confirm-pattern';
import { classifyError, isMissingCredentials } from './errors';
import { mapPool } from './pool';
import { AwsSession, type Credentials, type SdkClientConfig } from './session';

export class MissingCredentialsError extends ConfigError {
  constructor(cause: unknown) {
    super(
      'No AWS credentials found. Set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), run where an ' +
        'instance/task role is available, or try it without AWS: `cis-bot demo` or `cis-bot audit 4.1 --sandbox FILE`.',
      { cause },
    );
  }
}

export interface RunAuditOptions {
  control: Control;
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
  now?: () => Date;
}

/** The options of an audit of a metric-filter-chain control. */
type ChainAuditOptions = RunAuditOptions & { control: MetricFilterControl };

/** The clients the collector used for a snapshot's account: its role's, or the base credentials'. */
function clientsOf(session: AwsSession, snap: AccountSnapshot): ClientsAt {
  const viaRole = snap.access.ok && snap.access.value.via === 'assume-role';
  return (accountId, region) =>
    accountId === snap.accountId
      ? viaRole
        ? session.roleClients(accountId, region)
        : session.baseClients(region)
      : session.clientsFor(accountId, region);
}

function failedSnapshot(
  accountId: string,
  region: string,
  error: ProbeError,
  at: string,
  label?: string,
): AccountSnapshot {
  return {
    accountId,
    ...(label !== undefined ? { label } : {}),
    auditRegion: region,
    startedAt: at,
    finishedAt: at,
    access: probeError(error),
    trails: probeError(error),
    logGroups: {},
    metricAlarms: {},
    topics: {},
    apiCalls: 0,
  };
}

async function auditAssumed(
  opts: ChainAuditOptions,
  accountId: string,
  now: () => Date,
): Promise<AccountSnapshot> {
  const { session, region } = opts;
  const label = opts.labels?.[accountId];
  try {
    await session.assume(accountId);
  } catch (error) {
    if (isMissingCredentials(error) || isMissingCredentials((error as { cause?: unknown }).cause)) {
      throw new MissingCredentialsError(error);
    }
    const snap = failedSnapshot(
      accountId,
      region,
      classifyError(error, 'sts:AssumeRole'),
      now().toISOString(),
      label,
    );
    return { ...snap, apiCalls: 1 };
  }
  const snap = await collectAccount({
    accountId,
    ...(label !== undefined ? { label } : {}),
    access: { via: 'assume-role', principalArn: session.roleArn(accountId) },
    auditRegion: region,
    controls: [opts.control],
    home: (r) => session.roleClients(accountId, r),
    other: (a, r) => session.clientsFor(a, r),
    now,
  });
  return { ...snap, apiCalls: snap.apiCalls + 1 };
}

async function auditCurrent(opts: ChainAuditOptions, now: () => Date): Promise<AccountSnapshot> {
  const { session, region } = opts;
  const identity = session.callerIdentity();
  identity.catch(() => undefined); // observed below through collectAccount
  const snap = await collectAccount({
    accountId: identity.then((i) => i.accountId),
    access: { via: 'current-credentials' },
    auditRegion: region,
    controls: [opts.control],
    home: (r) => session.baseClients(r),
    other: (a, r) => session.clientsFor(a, r),
    now,
  });
  const who = await identity.catch((error: unknown) => {
    if (isMissingCredentials(error)) throw new MissingCredentialsError(error);
    return undefined;
  });
  const label = who ? opts.labels?.[who.accountId] : undefined;
  return {
    ...snap,
    ...(label !== undefined ? { label } : {}),
    ...(who && snap.access.ok
      ? { access: { ok: true, value: { via: 'current-credentials', principalArn: who.arn } } }
      : {}),
  };
}

/** Audits `opts.control` in the accounts, by the control's kind. */
export async function runAudit(opts: RunAuditOptions): Promise<AuditOutcome> {
  const { control } = opts;
  switch (control.kind) {
    case 'metric-filter-chain':
      return auditChain({ ...opts, control });
    case 'service':
      // Issue 18 adds the first service control (4.16) together with its collector and evaluation.
      throw new UsageError(
        `CIS ${control.id} (${control.title}) has no audit yet: cis-bot audits chain controls.`,
      );
    default:
      return unhandledKind(control);
  }
}

/** The chain audit: collect each account's chain, evaluate it, optionally confirm with AWS. */
async function auditChain(opts: ChainAuditOptions): Promise<AuditOutcome> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const t0 = performance.now();
  const accounts = [...new Set(opts.accounts ?? [])];
  let snapshots: AccountSnapshot[];
  if (accounts.length === 0) {
    snapshots = [await auditCurrent(opts, now)];
  } else {
    opts.session.allowAccounts(accounts);
    snapshots = await mapPool(accounts, opts.concurrency ?? 8, async (accountId) => {
      try {
        return await auditAssumed(opts, accountId, now);
      } catch (error) {
        if (error instanceof MissingCredentialsError) throw error;
        // One account's surprise must not hide the others' results.
        return failedSnapshot(
          accountId,
          opts.region,
          classifyError(error, 'cis-bot:audit'),
          now().toISOString(),
          opts.labels?.[accountId],
        );
      }
    });
  }
  let findings = snapshots.map((s) => evaluate(opts.control, s));
  let confirmCalls = 0;
  if (opts.confirmPatterns) {
    findings = await mapPool(findings, opts.concurrency ?? 8, async (finding, i) => {
      const out = await confirmFinding(
        finding,
        opts.control,
        clientsOf(opts.session, snapshots[i] as AccountSnapshot),
      );
      confirmCalls += out.calls;
      return out.finding;
    });
  }
  const report: AuditReport = {
    control: opts.control.id,
    controlTitle: opts.control.title,
    startedAt: started.toISOString(),
    finishedAt: now().toISOString(),
    region: opts.region,
    accounts: findings,
    summary: summarize(findings),
    stats: {
      apiCalls: snapshots.reduce((n, s) => n + s.apiCalls, 0) + confirmCalls,
      durationMs: Math.round(performance.now() - t0),
    },
  };
  return { report, snapshots };
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
  return {
    session,
    async audit(request: AuditRequest): Promise<AuditOutcome> {
      const control = getControl(request.control);
      const auditRegion = request.region ?? region;
      if (!auditRegion) {
        throw new ConfigError('No AWS region: set aws.region in the configuration file, or AWS_REGION.');
      }
      // Named accounts are audited even when discovery fails (the list only gives them their labels).
      const listed =
        request.accounts === undefined ? await directory.list() : await directory.list().catch(() => []);
      return runAudit({
        control,
        session,
        region: auditRegion,
        accounts: request.accounts ?? listed.map((a) => a.accountId),
        concurrency: aws.concurrency,
        confirmPatterns: aws.confirm_patterns,
        labels: { ...deps.labels, ...labelsOf(listed) },
      });
    },
  };
}
