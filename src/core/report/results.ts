/**
 * What every report format is written from: a flat list of (account x control) results and the run they
 * came from. Formats are pure functions of a `ReportRun`, so they serve one control today and a whole
 * section (issue 18: a `controls` array per account) without change: only `reportRun` learns the new shape.
 */
import { CONTROLS, type ControlRegistry } from '../controls/registry';
import type { Severity } from '../controls/types';
import type { AccountFinding, AccountStatus, AuditReport } from '../evaluate/findings';

/** What a report says about a control, from the registry (or the report alone for an unknown id). */
export interface ControlInfo {
  id: string;
  title: string;
  rationale: string;
  severity: Severity;
  /** The control's id in CIS AWS Foundations Benchmark v4.0.0. */
  cisId: string;
}

/** One account's verdict on one control. */
export interface ControlResult {
  control: ControlInfo;
  finding: AccountFinding;
}

/** The program that wrote the report (SARIF's driver, OCSF's product, JUnit's hostname-free suite name). */
export interface ToolInfo {
  name: string;
  version: string;
  /** Where people read about it (SARIF's driver.informationUri); absent when there is none to give. */
  informationUri?: string;
}

export interface ReportRun {
  tool: ToolInfo;
  /** ISO timestamps of the audit. */
  startedAt: string;
  finishedAt: string;
  /** The region the audit started in. */
  region: string;
  /** Controls in the order they were asked for, each once. */
  controls: ControlInfo[];
  /** Every (account x control) result, grouped by control in `controls` order. */
  results: ControlResult[];
}

/** The benchmark every control of the registry belongs to. */
export const BENCHMARK = { name: 'CIS AWS Foundations Benchmark', version: 'v4.0.0' } as const;

export const DEFAULT_TOOL: ToolInfo = { name: 'cis-bot', version: '0.0.0' };

export function controlInfo(
  id: string,
  fallbackTitle: string,
  registry: ControlRegistry = CONTROLS,
): ControlInfo {
  const control = registry.get(id);
  if (!control) return { id, title: fallbackTitle, rationale: fallbackTitle, severity: 'medium', cisId: id };
  return {
    id,
    title: control.title,
    rationale: control.rationale,
    severity: control.severity,
    cisId: control.cis['v4.0.0'],
  };
}

/**
 * The flat results of one or more audit reports (one per control today). Issue 18's multi-control report
 * maps here: each account's `controls` entries become one result each.
 */
export function reportRun(
  reports: AuditReport | readonly AuditReport[],
  tool: ToolInfo = DEFAULT_TOOL,
  registry: ControlRegistry = CONTROLS,
): ReportRun {
  const list: readonly AuditReport[] = Array.isArray(reports) ? reports : [reports as AuditReport];
  const first = list[0];
  if (!first) throw new Error('reportRun needs at least one audit report');
  const controls: ControlInfo[] = [];
  const results: ControlResult[] = [];
  for (const report of list) {
    const control = controlInfo(report.control, report.controlTitle, registry);
    if (!controls.some((c) => c.id === control.id)) controls.push(control);
    for (const finding of report.accounts) results.push({ control, finding });
  }
  return {
    tool,
    startedAt: list.map((r) => r.startedAt).sort()[0] ?? first.startedAt,
    finishedAt:
      list
        .map((r) => r.finishedAt)
        .sort()
        .at(-1) ?? first.finishedAt,
    region: first.region,
    controls,
    results,
  };
}

/** The results of one control, in report order. */
export function resultsOf(run: ReportRun, controlId: string): ControlResult[] {
  return run.results.filter((r) => r.control.id === controlId);
}

/** How many results have each status. */
export function countByStatus(results: readonly ControlResult[]): Record<AccountStatus, number> {
  const counts: Record<AccountStatus, number> = { COMPLIANT: 0, NON_COMPLIANT: 0, ACCEPTED: 0, ERROR: 0 };
  for (const r of results) counts[r.finding.status] += 1;
  return counts;
}

/** An account as people read it: `111122223333 (prod)`. */
export function accountLabel(finding: Pick<AccountFinding, 'accountId' | 'label'>): string {
  return finding.label ? `${finding.accountId} (${finding.label})` : finding.accountId;
}

/** What to do about a result: the broken link's own action, else the general fix for the control. */
export function recommendation(result: ControlResult): string {
  const { finding, control } = result;
  switch (finding.status) {
    case 'COMPLIANT':
      return 'Nothing to do: the chain holds.';
    case 'ERROR': {
      const failed = finding.links.find((l) => l.status === 'error');
      return failed?.action
        ? `Grant ${failed.action} to cis-bot's audit role, then audit again.`
        : `Make the account reachable by cis-bot's audit role, then audit again: ${finding.reason}`;
    }
    case 'ACCEPTED':
      return `${acceptanceText(finding) ?? 'Accepted by an exception.'} Repair the ${finding.brokenLink ?? 'monitoring'} link before then, or the control fails again.`;
    case 'NON_COMPLIANT':
      return `${lapsedText(finding) ?? ''}Repair the ${finding.brokenLink ?? 'monitoring'} link: run \`cis-bot remediate ${control.id} --account ${finding.accountId}\` (or /cis ${control.id} remediate) to see the plan.`;
    default:
      return finding.status satisfies never;
  }
}

/** Who accepted a failing finding, why and until when (ACCEPTED findings); undefined otherwise. */
export function acceptanceText(finding: Pick<AccountFinding, 'exception'>): string | undefined {
  const e = finding.exception;
  if (!e) return undefined;
  const who = (a: { userId: string; displayName?: string }) => a.displayName ?? a.userId;
  const narrow = e.deviation ? ` (deviation: only filter '${e.deviation.filterName}' as it is)` : '';
  return `Accepted until ${e.until} by ${who(e.approvedBy)}, requested by ${who(e.requestedBy)}${narrow}: ${e.reason} (exception ${e.id}).`;
}

/** Why a failing finding's exception no longer applies (it expired, its filter changed); undefined if none. */
export function lapsedText(finding: Pick<AccountFinding, 'lapsedException'>): string | undefined {
  const e = finding.lapsedException;
  if (!e) return undefined;
  return e.why === 'expired'
    ? `The exception ${e.id} expired on ${e.until} (${e.reason}). `
    : `The exception ${e.id} no longer applies: the accepted metric filter changed (${e.reason}). `;
}

/** Text cut to `max` characters (an ellipsis marks the cut). */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
