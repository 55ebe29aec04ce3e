/**
 * Audit results as neutral cards, filtered by notification level (monotonic by construction: every
 * element is tagged with the lowest level that shows it, and `shows()` ranks levels):
 * - error: one card per non-compliant or errored account (reason + the chain's link statuses);
 * - info: plus a summary card (counts, compliant accounts in one line);
 * - verbose: plus the evidence of every link, a card per compliant account, timings and API-call counts.
 */

import type { Button, Card, CardElement } from '../cards';
import type {
  AccountFinding,
  AccountStatus,
  AuditReport,
  LinkResult,
  LinkStatus,
} from '../evaluate/findings';
import { type NotificationLevel, shows } from '../levels';
import { ACTION_REMEDIATE } from '../ports/chat';
import { acceptanceText, lapsedText } from '../report/results';

export interface PresentOptions {
  /** Add a "Propose a fix" button (`cis:remediate`, value `{"control","accountId"}` JSON) to non-compliant cards. */
  remediateButton?: boolean;
  /** Accounts shown as their own card; the rest are listed in one overflow table (default: all). */
  maxAccountCards?: number;
  /** Longest evidence text per link (default 2500 characters, under Slack's 3000 per section). */
  maxEvidenceChars?: number;
}

export const STATUS_WORD: Record<AccountStatus, string> = {
  COMPLIANT: 'compliant',
  NON_COMPLIANT: 'NON-COMPLIANT',
  ACCEPTED: 'ACCEPTED',
  ERROR: 'ERROR',
};

export const LINK_MARK: Record<LinkStatus, string> = {
  pass: '✓ pass',
  warn: '~ warn',
  fail: '✗ FAIL',
  error: '! ERROR',
};

export function accountName(f: Pick<AccountFinding, 'accountId' | 'label'>): string {
  return f.label ? `${f.accountId} (${f.label})` : f.accountId;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function evidenceText(link: LinkResult, max: number): string {
  return clip(`${link.link}: ${JSON.stringify(link.evidence)}`, max);
}

function remediateButton(f: AccountFinding): Button {
  return {
    id: ACTION_REMEDIATE,
    label: 'Propose a fix',
    style: 'primary',
    value: JSON.stringify({ control: f.control, accountId: f.accountId }),
  };
}

/** Who accepted the failure, why and until when; or why an exception no longer applies. */
export function exceptionLines(f: AccountFinding): CardElement[] {
  const line = acceptanceText(f) ?? lapsedText(f)?.trim();
  return line ? [{ type: 'text', text: line }] : [];
}

/** The card of one account. */
export function accountCard(
  f: AccountFinding,
  level: NotificationLevel,
  controlTitle: string,
  options: PresentOptions = {},
): Card {
  const maxEvidence = options.maxEvidenceChars ?? 2500;
  const elements: CardElement[] = [
    { type: 'heading', text: `CIS ${f.control} ${STATUS_WORD[f.status]}: account ${accountName(f)}` },
    { type: 'text', text: f.reason },
    ...exceptionLines(f),
  ];
  if (f.links.length > 0) {
    elements.push({
      type: 'table',
      columns: ['Link', 'Status', 'Detail'],
      rows: f.links.map((l) => [
        l.link,
        LINK_MARK[l.status],
        l.action ? `${l.detail} [${l.action}]` : l.detail,
      ]),
    });
  }
  if (shows(level, 'verbose')) {
    for (const link of f.links)
      elements.push({ type: 'text', text: evidenceText(link, maxEvidence), monospace: true });
    if (f.candidates > 1)
      elements.push({
        type: 'context',
        text: `${f.candidates} candidate chains considered; the best is shown.`,
      });
  }
  if (options.remediateButton && f.status === 'NON_COMPLIANT') {
    elements.push({ type: 'actions', buttons: [remediateButton(f)] });
  }
  elements.push({ type: 'context', text: `${controlTitle} (CIS AWS Foundations v4.0.0 ${f.control})` });
  return {
    summary: clip(`CIS ${f.control} ${STATUS_WORD[f.status]} in ${accountName(f)}: ${f.reason}`, 300),
    elements,
  };
}

/** The counts per status of a summary, one field each: every summary card shows them alike. */
export function statusCountFields(s: {
  compliant: number;
  nonCompliant: number;
  accepted?: number;
  error: number;
}): CardElement {
  return {
    type: 'fields',
    fields: [
      { label: 'Compliant', value: String(s.compliant) },
      { label: 'Non-compliant', value: String(s.nonCompliant) },
      // Shown only when there are some: most audits have no exceptions.
      ...(s.accepted ? [{ label: 'Accepted (exceptions)', value: String(s.accepted) }] : []),
      { label: 'Error', value: String(s.error) },
    ],
  };
}

/** The summary card (info and above). */
export function summaryCard(report: AuditReport, level: NotificationLevel): Card {
  const s = report.summary;
  const compliant = report.accounts.filter((a) => a.status === 'COMPLIANT');
  const headline = `CIS ${report.control} audit: ${s.compliant} of ${s.total} account${s.total === 1 ? '' : 's'} compliant`;
  const elements: CardElement[] = [{ type: 'heading', text: headline }, statusCountFields(s)];
  if (compliant.length > 0) {
    elements.push({ type: 'text', text: `Compliant: ${compliant.map(accountName).join(', ')}` });
  }
  if (shows(level, 'verbose')) {
    const calls = report.stats.apiCalls !== undefined ? `, ${report.stats.apiCalls} API calls` : '';
    elements.push({
      type: 'context',
      text: `Region ${report.region}; ${report.startedAt} to ${report.finishedAt}; ${report.stats.durationMs} ms${calls}.`,
    });
  }
  elements.push({ type: 'context', text: report.controlTitle });
  const accepted = s.accepted > 0 ? `, ${s.accepted} accepted` : '';
  const extra =
    s.nonCompliant + s.error + s.accepted > 0
      ? ` (${s.nonCompliant} non-compliant${accepted}, ${s.error} error)`
      : '';
  return { summary: `${headline}${extra}`, elements };
}

function overflowCard(report: AuditReport, rest: readonly AccountFinding[]): Card {
  return {
    summary: `CIS ${report.control}: ${rest.length} more account(s)`,
    elements: [
      { type: 'heading', text: `CIS ${report.control}: ${rest.length} more account(s)` },
      {
        type: 'table',
        columns: ['Account', 'Status', 'Reason'],
        rows: rest.map((f) => [accountName(f), STATUS_WORD[f.status], clip(f.reason, 200)]),
      },
    ],
  };
}

/** All cards of an audit at a level, summary first. */
export function presentAudit(
  report: AuditReport,
  level: NotificationLevel,
  options: PresentOptions = {},
): Card[] {
  const cards: Card[] = [];
  if (shows(level, 'info')) cards.push(summaryCard(report, level));
  const listed = report.accounts.filter((f) => f.status !== 'COMPLIANT' || shows(level, 'verbose'));
  // Problems first (errors, then non-compliant), compliant last; stable within a status.
  const order: Record<AccountStatus, number> = { ERROR: 0, NON_COMPLIANT: 1, ACCEPTED: 2, COMPLIANT: 3 };
  const sorted = [...listed].sort((a, b) => order[a.status] - order[b.status]);
  const max = options.maxAccountCards ?? Number.POSITIVE_INFINITY;
  for (const f of sorted.slice(0, max)) cards.push(accountCard(f, level, report.controlTitle, options));
  const rest = sorted.slice(max);
  if (rest.length > 0) cards.push(overflowCard(report, rest));
  return cards;
}
