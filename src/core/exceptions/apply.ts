/**
 * Accepted exceptions applied to what an audit found. A blanket exception: a NON_COMPLIANT finding with a
 * valid exception for its control and account becomes ACCEPTED (its reason and broken link still say
 * what fails, and `exception` says who accepted it, why and until when). A narrow exception (a named
 * deviation) means "treat this filter pattern as covering the control": it goes INTO the audit
 * (`deviationsOf`, the request's `deviations`), whose evaluation checks the chain through the accepted
 * filter and makes the finding ACCEPTED only when the rest of that chain holds (else its later broken
 * link, naming the exception; core/evaluate/evaluate.ts). Once an exception expired, or when the accepted
 * filter is not there any more (its pattern changed), the finding stays NON_COMPLIANT and says why the
 * exception no longer applies (`lapsedException`, for EXPIRED_NOTICE_DAYS after the expiry). COMPLIANT
 * and ERROR findings are never changed: an exception does not hide an account that could not be audited.
 *
 * `withExceptions` wraps the Auditor port so that every audit anyone reads (chat, CLI, digests, reports,
 * the store) carries them; the remediation assessor keeps the raw auditor (a fix is planned for what
 * fails, accepted or not).
 */
import { type AcceptedDeviation, acceptedByOf, patternHash } from '../evaluate/accepted-deviations';
import { accountResults, type ControlsReport, summarizeControls } from '../evaluate/controls-report';
import {
  type AcceptedException,
  type AccountFinding,
  type AuditReport,
  type LinkResult,
  summarize,
} from '../evaluate/findings';
import type { Auditor } from '../ports/auditor';
import type { ExceptionRecord, ExceptionStore } from '../ports/store';

/** How long after its expiry a failing finding still says that its exception expired. */
export const EXPIRED_NOTICE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The filters a failing metric-filter link names (the closest first), as the evaluation records them. */
export function failingFilters(
  finding: Pick<AccountFinding, 'links' | 'brokenLink'>,
): Array<{ filterName: string; pattern: string; missedExample?: unknown }> {
  if (finding.brokenLink !== 'metric-filter') return [];
  const link = finding.links.find((l: LinkResult) => l.link === 'metric-filter' && l.status === 'fail');
  const filters = link?.evidence.filters;
  return Array.isArray(filters)
    ? (filters as Array<{ filterName: string; pattern: string; missedExample?: unknown }>).filter(
        (f) => typeof f?.pattern === 'string',
      )
    : [];
}

export { patternHash };

/** Did the audit evaluate this finding's chain through the filter that `exception` accepts? */
function reachedBy(exception: ExceptionRecord, finding: AccountFinding): boolean {
  return finding.links.some(
    (l) => l.link === 'metric-filter' && acceptedByOf(l)?.exceptionId === exception.id,
  );
}

/** The named deviations of `exceptions` in force at `now`, as an audit request takes them. */
export function deviationsOf(exceptions: readonly ExceptionRecord[], now: Date): AcceptedDeviation[] {
  return exceptions.flatMap((e) =>
    e.deviation && !e.revokedAt && Date.parse(e.expiresAt) > now.getTime()
      ? [
          {
            control: e.control,
            accountId: e.accountId,
            filterPatternHash: e.deviation.filterPatternHash,
            exception: acceptedOf(e),
          },
        ]
      : [],
  );
}

export function acceptedOf(e: ExceptionRecord): AcceptedException {
  return {
    id: e.id,
    reason: e.reason,
    until: e.until,
    requestedBy: e.requestedBy,
    approvedBy: e.approvedBy,
    grantedAt: e.grantedAt,
    ...(e.deviation
      ? {
          deviation: {
            filterName: e.deviation.filterName,
            filterPatternHash: e.deviation.filterPatternHash,
            witness: e.deviation.witness,
          },
        }
      : {}),
  };
}

/** One finding with the exceptions of its control and account (not revoked; latest expiry first). */
export function applyToFinding(
  finding: AccountFinding,
  exceptions: readonly ExceptionRecord[],
  now: Date,
): AccountFinding {
  if (finding.status !== 'NON_COMPLIANT') return finding;
  const mine = exceptions.filter(
    (e) => e.control === finding.control && e.accountId === finding.accountId && !e.revokedAt,
  );
  const valid = mine.filter((e) => Date.parse(e.expiresAt) > now.getTime());
  // A named deviation was applied by the evaluation (deviationsOf): a chain through its filter that still
  // fails is broken further down, and its reason says so.
  const blanket = valid.find((e) => !e.deviation);
  if (blanket) return { ...finding, status: 'ACCEPTED', exception: acceptedOf(blanket) };
  if (valid.some((e) => reachedBy(e, finding))) return finding;
  const [changed] = valid;
  if (changed) {
    return {
      ...finding,
      lapsedException: {
        id: changed.id,
        reason: changed.reason,
        until: changed.until,
        why: 'filter-changed',
      },
    };
  }
  const recent = mine.find((e) => Date.parse(e.expiresAt) > now.getTime() - EXPIRED_NOTICE_DAYS * DAY_MS);
  if (!recent) return finding;
  return {
    ...finding,
    lapsedException: { id: recent.id, reason: recent.reason, until: recent.until, why: 'expired' },
  };
}

/** The exceptions that can matter to findings of `controls` at `now` (valid, or expired recently). */
export function relevantExceptions(
  store: Pick<ExceptionStore, 'listExceptions'>,
  now: Date,
  accountIds?: readonly string[],
): Promise<ExceptionRecord[]> {
  return store.listExceptions({
    expiresAfter: new Date(now.getTime() - EXPIRED_NOTICE_DAYS * DAY_MS).toISOString(),
    ...(accountIds ? { accountIds } : {}),
  });
}

export function applyToReport(
  report: AuditReport,
  exceptions: readonly ExceptionRecord[],
  now: Date,
): AuditReport {
  const accounts = report.accounts.map((f) => applyToFinding(f, exceptions, now));
  return { ...report, accounts, summary: summarize(accounts) };
}

export function applyToControlsReport(
  report: ControlsReport,
  exceptions: readonly ExceptionRecord[],
  now: Date,
): ControlsReport {
  const accounts = report.accounts.map((row) =>
    accountResults(row.controls.map((f) => applyToFinding(f, exceptions, now))),
  );
  return { ...report, accounts, summary: summarizeControls(report.controls, accounts) };
}

/**
 * The Auditor whose reports carry the accepted exceptions in force when each audit started: named
 * deviations go into the audit itself, blanket exceptions are applied to its findings.
 */
export function withExceptions(
  auditor: Auditor,
  store: Pick<ExceptionStore, 'listExceptions'>,
  now: () => Date = () => new Date(),
): Auditor {
  return {
    async audit(request) {
      const at = now();
      const exceptions = await relevantExceptions(store, at, request.accounts);
      const outcome = await auditor.audit({ ...request, deviations: deviationsOf(exceptions, at) });
      return { ...outcome, report: applyToReport(outcome.report, exceptions, at) };
    },
    async auditControls(request) {
      const at = now();
      const exceptions = await relevantExceptions(store, at, request.accounts);
      const outcome = await auditor.auditControls({ ...request, deviations: deviationsOf(exceptions, at) });
      return { ...outcome, report: applyToControlsReport(outcome.report, exceptions, at) };
    },
  };
}
