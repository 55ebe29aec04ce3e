/**
 * What an audit says: per account a verdict, the first broken link of the best candidate chain as the
 * reason, and every evaluated link with its evidence. This is also the stable JSON of `cis-bot audit
 * --output json` (documented in the README), so fields are only ever added.
 */
import type { MetricRef, ProbeErrorKind } from '../snapshot';

/** The links of a section-4 chain, in chain order. */
export const LINKS = [
  'trail',
  'logging',
  'management-events',
  'log-group',
  'metric-filter',
  'alarm',
  'topic',
  'subscription',
] as const;
export type ChainLinkName = (typeof LINKS)[number];

/** The checks of service controls (4.16: Security Hub enabled, one link per region checked). */
export const SERVICE_CHECKS = ['security-hub'] as const;
export type ServiceCheckName = (typeof SERVICE_CHECKS)[number];

/** What a finding's link is about: a link of the chain, or the check of a service control. */
export type LinkName = ChainLinkName | ServiceCheckName;

/** `warn` does not break the chain (e.g. a topic policy that may not let CloudWatch publish). */
export type LinkStatus = 'pass' | 'fail' | 'error' | 'warn';

/** JSON-safe facts behind a link's status: ARNs, patterns, alarm settings. */
export type Evidence = Readonly<Record<string, unknown>>;

export interface LinkResult {
  link: LinkName;
  status: LinkStatus;
  /** One sentence a person can act on. */
  detail: string;
  evidence: Evidence;
  /** For `error` links: the IAM action that was refused or failed. */
  action?: string;
}

/**
 * `ACCEPTED`: the control fails (it would be NON_COMPLIANT) but an approved exception accepts that until a
 * date (issue 14); the exit code counts it as NON_COMPLIANT unless `--accept-exceptions`.
 */
export type AccountStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'ACCEPTED' | 'ERROR';

/** Who asked for or approved an exception. */
export interface ExceptionActor {
  platform: string;
  userId: string;
  displayName?: string;
}

/** The approved exception that makes a failing finding ACCEPTED: who, why, until when. */
export interface AcceptedException {
  /** The id of the approval that granted it (revoke it with this id). */
  id: string;
  reason: string;
  /** The last day it is valid (UTC), YYYY-MM-DD. */
  until: string;
  requestedBy: ExceptionActor;
  approvedBy: ExceptionActor;
  grantedAt: string;
  /** A named deviation: only this filter pattern is accepted, with the event it misses. */
  deviation?: { filterName: string; filterPatternHash: string; witness: unknown };
}

/** An exception that no longer applies to a failing finding: it expired, or (a deviation) the filter changed. */
export interface LapsedException {
  id: string;
  reason: string;
  until: string;
  why: 'expired' | 'filter-changed';
}

/** The resources of the chosen chain, as far as it goes: what the remediation planner builds on. */
export interface ChainRef {
  trailArn?: string;
  trailName?: string;
  trailHomeRegion?: string;
  logGroupArn?: string;
  logGroupName?: string;
  logGroupAccountId?: string;
  logGroupRegion?: string;
  filterName?: string;
  filterPattern?: string;
  metric?: MetricRef;
  alarmName?: string;
  alarmArn?: string;
  topicArn?: string;
  subscriptionArn?: string;
}

export interface AccountFinding {
  control: string;
  accountId: string;
  label?: string;
  status: AccountStatus;
  /** The first broken link of the best chain (or why the account could not be audited); for a compliant account, the chain that holds. */
  reason: string;
  /** The link the reason is about; absent when compliant or when the account could not be reached. */
  brokenLink?: LinkName;
  /**
   * Why the account could not be reached at all (no links were read): `access-denied` (the role refused
   * AssumeRole), `credentials` (AWS refused the credentials themselves: renew them, no grant helps)...
   */
  accessError?: { kind: ProbeErrorKind; action: string; code?: string };
  /**
   * The best chain's links in chain order, up to and including the first failing one; for a finding
   * ACCEPTED by a named deviation, the whole chain through the accepted filter (its `fail` link, whose
   * evidence has `acceptedBy`, then the links that hold).
   */
  links: LinkResult[];
  chain: ChainRef;
  /** How many candidate chains (trail x filter x alarm x topic paths) were considered. */
  candidates: number;
  /**
   * Present when ACCEPTED: the exception that accepts the failure (`brokenLink` and `reason` still say what
   * fails). A named deviation (`exception.deviation`) accepts only when the chain after its filter holds.
   */
  exception?: AcceptedException;
  /** Present on a failing finding whose exception no longer applies (expired recently, or a changed filter). */
  lapsedException?: LapsedException;
}

export interface AuditSummary {
  total: number;
  compliant: number;
  nonCompliant: number;
  /** Failing but accepted by an exception (ACCEPTED). */
  accepted: number;
  error: number;
}

export interface AuditStats {
  /** Logical AWS API calls (retries not counted). */
  apiCalls?: number;
  durationMs: number;
}

export interface AuditReport {
  control: string;
  controlTitle: string;
  /** ISO timestamps. */
  startedAt: string;
  finishedAt: string;
  /** The region the audit started in (DescribeTrails). */
  region: string;
  accounts: AccountFinding[];
  summary: AuditSummary;
  stats: AuditStats;
}

export function summarize(findings: readonly AccountFinding[]): AuditSummary {
  return {
    total: findings.length,
    compliant: findings.filter((f) => f.status === 'COMPLIANT').length,
    nonCompliant: findings.filter((f) => f.status === 'NON_COMPLIANT').length,
    accepted: findings.filter((f) => f.status === 'ACCEPTED').length,
    error: findings.filter((f) => f.status === 'ERROR').length,
  };
}

/**
 * 0 all compliant, 1 some non-compliant, 2 some account could not be audited (an incomplete answer wins).
 * ACCEPTED counts as non-compliant unless `acceptExceptions` (`--accept-exceptions`).
 */
export function exitCodeFor(
  report: { summary: Pick<AuditSummary, 'error' | 'nonCompliant'> & { accepted?: number } },
  options: { acceptExceptions?: boolean } = {},
): 0 | 1 | 2 {
  if (report.summary.error > 0) return 2;
  if (report.summary.nonCompliant > 0) return 1;
  if ((report.summary.accepted ?? 0) > 0 && !options.acceptExceptions) return 1;
  return 0;
}

/**
 * What AWS said when it refused cis-bot's credentials during this account's audit (the account-level
 * reason, or the first link that could not be read because of it); undefined when it did not. Such an
 * audit says nothing about the account, so nothing may be concluded from it (e.g. that a plan is stale).
 */
export function credentialsRefusal(finding: AccountFinding): string | undefined {
  if (finding.accessError?.kind === 'credentials') return finding.reason;
  const refused = finding.links.find(
    (l) =>
      l.status === 'error' && (l.evidence.error as { kind?: unknown } | undefined)?.kind === 'credentials',
  );
  return refused?.detail;
}
