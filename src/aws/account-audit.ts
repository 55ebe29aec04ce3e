/**
 * One account's audit: reach it (AssumeRole, or the current credentials), collect its ONE shared
 * snapshot for every audited control, evaluate each control from it, and confirm metric-filter verdicts
 * with AWS when asked. Bounded in time: past the per-account timeout its calls are aborted and the
 * account is ERROR for every control, naming the setting; any other surprise is that account's ERROR
 * too, never another account's. Only missing credentials (a run-wide configuration problem) throw.
 */
import type { Control, MetricFilterControl } from '../core/controls/types';
import { ConfigError } from '../core/errors';
import type { AcceptedDeviation } from '../core/evaluate/accepted-deviations';
import { AccountLinks } from '../core/evaluate/account-links';
import { type AccountResults, accountResults } from '../core/evaluate/controls-report';
import { evaluateControl } from '../core/evaluate/evaluate-control';
import type { AccountFinding } from '../core/evaluate/findings';
import { shareEqualLinks } from '../core/evaluate/shared-links';
import { type AccountSnapshot, type ProbeError, probeError } from '../core/snapshot';
import { collectAccount } from './collector';
import { type ClientsAt, confirmFinding } from './confirm-pattern';
import { classifyError, isMissingCredentials } from './errors';
import type { AwsSession } from './session';

export class MissingCredentialsError extends ConfigError {
  constructor(cause: unknown) {
    super(
      'No AWS credentials found. Set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), run where an ' +
        'instance/task role is available, or try it without AWS: `cis-bot demo` or `cis-bot audit 4.1 --sandbox FILE`.',
      { cause },
    );
  }
}

/** The run's settings every account is audited with: plain data (a worker thread receives them as they are). */
export interface AccountSettings {
  labels?: Readonly<Record<string, string>>;
  /** Confirm each metric-filter judgement with logs:TestMetricFilter (aws.confirm_patterns). */
  confirmPatterns?: boolean;
  /** Past this, the account's calls are aborted and it is ERROR (aws.account_timeout_seconds). */
  accountTimeoutMs?: number;
  /** Named deviations in force (any account: each account's own apply). */
  deviations?: readonly AcceptedDeviation[];
}

/** The settings of `opts` that are set (absent ones stay absent: exactOptionalPropertyTypes). */
export function accountSettings(opts: AccountSettings): AccountSettings {
  return {
    ...(opts.labels ? { labels: opts.labels } : {}),
    ...(opts.confirmPatterns ? { confirmPatterns: true } : {}),
    ...(opts.accountTimeoutMs !== undefined ? { accountTimeoutMs: opts.accountTimeoutMs } : {}),
    ...(opts.deviations?.length ? { deviations: opts.deviations } : {}),
  };
}

export interface AccountAuditOptions extends AccountSettings {
  controls: readonly Control[];
  session: AwsSession;
  /** The region DescribeTrails runs in. */
  region: string;
  now: () => Date;
}

export interface AccountAudit {
  snapshot: AccountSnapshot;
  /** One per control, in `controls` order. */
  findings: AccountFinding[];
  /** API calls, the confirmations' included. */
  apiCalls: number;
}

/** One account's outcome as a run keeps it, wherever it was audited (this thread or a worker). */
export interface AccountRow {
  row: AccountResults;
  apiCalls: number;
}

/** The row of verdicts kept until the report is printed: equal links of the account's controls kept once. */
export function accountRow(audit: AccountAudit): AccountRow {
  return { row: accountResults(shareEqualLinks(audit.findings)), apiCalls: audit.apiCalls };
}

/**
 * What the collector reads for these controls: the chain controls' patterns (and the filters their named
 * deviations accept), and the service checks.
 */
function collectScope(controls: readonly Control[], deviations: readonly AcceptedDeviation[] = []) {
  const chains = controls.filter((c): c is MetricFilterControl => c.kind === 'metric-filter-chain');
  const accepted = deviations.filter((d) => chains.some((c) => c.id === d.control));
  return {
    controls: chains,
    ...(accepted.length > 0 ? { deviations: accepted } : {}),
    securityHub: controls.some((c) => c.kind === 'service' && c.check === 'security-hub'),
  };
}

export function failedSnapshot(
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

async function collectAssumed(
  opts: AccountAuditOptions,
  accountId: string,
  signal: AbortSignal | undefined,
): Promise<AccountSnapshot> {
  const { session, region } = opts;
  const label = opts.labels?.[accountId];
  try {
    await session.assume(accountId);
  } catch (error) {
    if (isMissingCredentials(error) || isMissingCredentials((error as { cause?: unknown }).cause)) {
      throw new MissingCredentialsError(error);
    }
    const error_ = classifyError(error, 'sts:AssumeRole');
    return { ...failedSnapshot(accountId, region, error_, opts.now().toISOString(), label), apiCalls: 1 };
  }
  const snap = await collectAccount({
    accountId,
    ...(label !== undefined ? { label } : {}),
    access: { via: 'assume-role', principalArn: session.roleArn(accountId) },
    auditRegion: region,
    ...collectScope(opts.controls, opts.deviations),
    home: (r) => session.roleClients(accountId, r),
    other: (a, r) => session.clientsFor(a, r),
    ...(signal ? { signal } : {}),
    now: opts.now,
  });
  return { ...snap, apiCalls: snap.apiCalls + 1 };
}

async function collectCurrent(
  opts: AccountAuditOptions,
  signal: AbortSignal | undefined,
): Promise<AccountSnapshot> {
  const { session, region } = opts;
  const identity = session.callerIdentity();
  identity.catch(() => undefined); // observed below through collectAccount
  const snap = await collectAccount({
    accountId: identity.then((i) => i.accountId),
    access: { via: 'current-credentials' },
    auditRegion: region,
    ...collectScope(opts.controls, opts.deviations),
    home: (r) => session.baseClients(r),
    other: (a, r) => session.clientsFor(a, r),
    ...(signal ? { signal } : {}),
    now: opts.now,
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

/** The snapshot, or the account's ERROR when it takes longer than the timeout (its calls are aborted). */
async function collectBounded(
  opts: AccountAuditOptions,
  accountId: string | undefined,
): Promise<AccountSnapshot> {
  const limit = opts.accountTimeoutMs;
  const controller = limit !== undefined ? new AbortController() : undefined;
  const work =
    accountId === undefined
      ? collectCurrent(opts, controller?.signal)
      : collectAssumed(opts, accountId, controller?.signal);
  if (limit === undefined || controller === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<AccountSnapshot>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      const seconds = Math.round(limit / 100) / 10;
      const error: ProbeError = {
        kind: 'failed',
        action: 'cis-bot:audit',
        message: `the audit of the account did not finish within ${seconds} s (aws.account_timeout_seconds); its calls were stopped`,
      };
      const id = accountId ?? 'unknown';
      resolve(failedSnapshot(id, opts.region, error, opts.now().toISOString(), opts.labels?.[id]));
    }, limit);
  });
  // A late failure of the aborted work is that work's own business: the timeout already answered.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Audits one account (`undefined`: the account of the current credentials) for every control, from one
 * collection. Throws only MissingCredentialsError.
 */
export async function auditAccount(
  opts: AccountAuditOptions,
  accountId: string | undefined,
): Promise<AccountAudit> {
  let snapshot: AccountSnapshot;
  try {
    snapshot = await collectBounded(opts, accountId);
  } catch (error) {
    if (error instanceof MissingCredentialsError || accountId === undefined) throw error;
    // One account's surprise must not hide the others' results.
    const at = opts.now().toISOString();
    snapshot = failedSnapshot(
      accountId,
      opts.region,
      classifyError(error, 'cis-bot:audit'),
      at,
      opts.labels?.[accountId],
    );
  }
  let apiCalls = snapshot.apiCalls;
  const findings: AccountFinding[] = [];
  // The chain links every control of this snapshot shares, built once (dropped with this call).
  const shared = new AccountLinks(snapshot);
  for (const control of opts.controls) {
    let finding = evaluateControl(control, snapshot, opts.deviations, shared);
    if (opts.confirmPatterns && control.kind === 'metric-filter-chain') {
      const out = await confirmFinding(finding, control, clientsOf(opts.session, snapshot));
      apiCalls += out.calls;
      finding = out.finding;
    }
    findings.push(finding);
  }
  return { snapshot, findings, apiCalls };
}
