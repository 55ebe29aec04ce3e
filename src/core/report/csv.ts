/**
 * `--output csv`: one row per (account x control) result under a header row, RFC 4180 (CRLF line ends,
 * fields with commas, quotes or line breaks quoted, quotes doubled: csv-stringify does the quoting).
 * Security teams open these in spreadsheets, so a cell that a spreadsheet would run as a formula (it
 * starts with =, +, -, @, a tab or a carriage return: OWASP's list) is neutralized with a leading
 * apostrophe, which spreadsheets show as text and do not display.
 */
import { stringify } from 'csv-stringify/sync';
import { findingId } from './finding-id';
import { type ReportRun, recommendation } from './results';

export const CSV_COLUMNS = [
  'control',
  'control_title',
  'account_id',
  'account_label',
  'status',
  'broken_link',
  'reason',
  'recommendation',
  'severity',
  'region',
  'audited_at',
  'finding_id',
  'exception_id',
  'accepted_until',
  'accepted_by',
  'accepted_reason',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell a spreadsheet shows as text, never evaluates. */
export function neutralizeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export function renderCsv(run: ReportRun): string {
  const rows = run.results.map(({ control, finding }) =>
    [
      control.id,
      control.title,
      finding.accountId,
      finding.label ?? '',
      finding.status,
      finding.brokenLink ?? '',
      finding.reason,
      recommendation({ control, finding }),
      control.severity,
      run.region,
      run.finishedAt,
      findingId(control.id, finding.accountId),
      finding.exception?.id ?? '',
      finding.exception?.until ?? '',
      finding.exception?.approvedBy.userId ?? '',
      finding.exception?.reason ?? '',
    ].map(neutralizeFormula),
  );
  return stringify([[...CSV_COLUMNS], ...rows], { record_delimiter: 'windows' });
}
