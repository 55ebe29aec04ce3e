/**
 * What an audit of several controls says (`cis-bot audit 4`, `/cis 4 audit`, a schedule of a section):
 * per account a row of verdicts, one per control, each shaped exactly like a one-control report's
 * account object; the top level names the controls, and the summary counts accounts (by their worst
 * verdict) and each control's verdicts. This is the stable JSON of `cis-bot audit` for several controls
 * (README); a one-control audit keeps its own shape (`AuditReport`), which `reportForControl` derives
 * from this one, so every consumer of one control's report (store, digests, report formats) reads a
 * several-control audit as one report per control.
 */
import {
  type AccountFinding,
  type AccountStatus,
  type AuditReport,
  type AuditStats,
  type AuditSummary,
  summarize,
} from './findings';

/** One account's verdicts, one per audited control, in the report's control order. */
export interface AccountResults {
  accountId: string;
  label?: string;
  /** The worst verdict of its controls: ERROR, else NON_COMPLIANT, else ACCEPTED, else COMPLIANT (as the exit code ranks them). */
  status: AccountStatus;
  /** One line: every control compliant, or which controls are not and at which link. */
  reason: string;
  /** Why the account could not be reached at all (every control is then ERROR for it). */
  accessError?: AccountFinding['accessError'];
  controls: AccountFinding[];
}

/** Accounts counted by their worst verdict, and each control's verdicts. */
export interface ControlsSummary extends AuditSummary {
  controls: Record<string, AuditSummary>;
}

export interface ControlsReport {
  /** The audited controls, in registry order (a section is expanded: `4` is 4.1 to 4.16). */
  controls: string[];
  controlTitles: Record<string, string>;
  /** ISO timestamps. */
  startedAt: string;
  finishedAt: string;
  /** The region the audit started in (DescribeTrails). */
  region: string;
  accounts: AccountResults[];
  summary: ControlsSummary;
  stats: AuditStats;
}

const RANK: Record<AccountStatus, number> = { COMPLIANT: 0, ACCEPTED: 1, NON_COMPLIANT: 2, ERROR: 3 };

export function worstStatus(statuses: Iterable<AccountStatus>): AccountStatus {
  let worst: AccountStatus = 'COMPLIANT';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

/** An account's row from its findings (one per control, all for that account). */
export function accountResults(findings: AccountFinding[]): AccountResults {
  const [first] = findings;
  if (!first) throw new Error('accountResults needs at least one finding');
  const status = worstStatus(findings.map((f) => f.status));
  const open = findings.filter((f) => f.status !== 'COMPLIANT');
  const reason = first.accessError
    ? first.reason
    : open.length === 0
      ? `All ${findings.length} controls compliant.`
      : `${open.length} of ${findings.length} controls need attention: ${open
          .map((f) => `${f.control} ${f.status}${f.brokenLink ? ` (${f.brokenLink})` : ''}`)
          .join(', ')}.`;
  return {
    accountId: first.accountId,
    ...(first.label !== undefined ? { label: first.label } : {}),
    status,
    reason,
    ...(first.accessError ? { accessError: first.accessError } : {}),
    controls: findings,
  };
}

export function summarizeControls(
  controls: readonly string[],
  accounts: readonly AccountResults[],
): ControlsSummary {
  const perControl: Record<string, AuditSummary> = {};
  controls.forEach((id, i) => {
    perControl[id] = summarize(accounts.map((a) => a.controls[i] as AccountFinding));
  });
  return {
    total: accounts.length,
    compliant: accounts.filter((a) => a.status === 'COMPLIANT').length,
    nonCompliant: accounts.filter((a) => a.status === 'NON_COMPLIANT').length,
    accepted: accounts.filter((a) => a.status === 'ACCEPTED').length,
    error: accounts.filter((a) => a.status === 'ERROR').length,
    controls: perControl,
  };
}

/** One control's report, exactly as a one-control audit of the same accounts prints it. */
export function reportForControl(report: ControlsReport, controlId: string): AuditReport {
  const index = report.controls.indexOf(controlId);
  if (index < 0) throw new Error(`control ${controlId} is not in this report`);
  const accounts = report.accounts.map((a) => a.controls[index] as AccountFinding);
  return {
    control: controlId,
    controlTitle: report.controlTitles[controlId] ?? controlId,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    region: report.region,
    accounts,
    summary: summarize(accounts),
    stats: report.stats,
  };
}

/**
 * One report per control, in the report's order: how a several-control audit is recorded, put in
 * digests, and handed to the report formats (each takes a list of one-control reports).
 */
export function reportsPerControl(report: ControlsReport): AuditReport[] {
  return report.controls.map((id) => reportForControl(report, id));
}
