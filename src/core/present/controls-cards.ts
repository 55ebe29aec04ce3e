/**
 * An audit of several controls (`/cis 4 audit`) as neutral cards, for any number of accounts:
 * - info: a summary first: accounts by their worst verdict, each control's verdicts, and how often each
 *   link is broken, so 1,000 accounts read in one message;
 * - error: the worst accounts (ERROR first, then the most controls failing), one card each with its row
 *   of verdicts and what fails where, capped (`maxAccountCards`), with a "Propose a fix" button per
 *   failing chain control;
 * - then the full table, one row of statuses per account (adapters split it into thread messages /
 *   further cards within each platform's limits); at `error` only the accounts that need attention;
 * - verbose: plus timings and API-call counts.
 */
import type { Button, Card, CardElement } from '../cards';
import type { AccountResults, ControlsReport } from '../evaluate/controls-report';
import { type AccountFinding, type AccountStatus, SERVICE_CHECKS } from '../evaluate/findings';
import { type NotificationLevel, shows } from '../levels';
import { ACTION_REMEDIATE } from '../ports/chat';
import { accountName, STATUS_WORD, statusCountFields } from './audit-cards';

export interface ControlsPresentOptions {
  /** Add "Propose a fix" buttons for failing chain controls to the account cards. */
  remediateButton?: boolean;
  /** Worst accounts shown as their own card (default 10). */
  maxAccountCards?: number;
  /** Rows of the full table (default: every account). */
  maxTableRows?: number;
}

/** One character per verdict in a row of statuses. */
export const STATUS_MARK: Record<AccountStatus, string> = {
  COMPLIANT: '✓',
  NON_COMPLIANT: '✗',
  ACCEPTED: '~',
  ERROR: '!',
};

const SEVERITY: Record<AccountStatus, number> = { ERROR: 3, NON_COMPLIANT: 2, ACCEPTED: 1, COMPLIANT: 0 };

/** How many controls fail (ERROR counts as failing), for ranking the worst accounts. */
const failing = (a: AccountResults) => a.controls.filter((f) => f.status !== 'COMPLIANT').length;

/** Worst first: ERROR accounts, then NON_COMPLIANT; within a status, the most failing controls; stable. */
export function worstFirst(accounts: readonly AccountResults[]): AccountResults[] {
  return accounts
    .map((a, i) => ({ a, i }))
    .sort((x, y) => SEVERITY[y.a.status] - SEVERITY[x.a.status] || failing(y.a) - failing(x.a) || x.i - y.i)
    .map((x) => x.a);
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** `CIS 4` for a whole section, else the ids. */
export function controlsLabel(controls: readonly string[]): string {
  const sections = new Set(controls.map((c) => c.split('.')[0]));
  return sections.size === 1 && controls.length > 3
    ? `CIS ${[...sections][0]} (${controls.length} controls)`
    : `CIS ${controls.join(', ')}`;
}

/** `link: count` of the broken links over every (account, control) that is not compliant, most first. */
export function brokenLinkCounts(report: ControlsReport): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const a of report.accounts) {
    for (const f of a.controls) {
      if (f.status === 'COMPLIANT') continue;
      const key = f.accessError ? 'account (not reachable)' : (f.brokenLink ?? 'unknown');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
}

export function controlsSummaryCard(report: ControlsReport, level: NotificationLevel): Card {
  const s = report.summary;
  const label = controlsLabel(report.controls);
  const headline = `${label} audit: ${s.compliant.toLocaleString('en-US')} of ${plural(s.total, 'account')} compliant on every control`;
  const elements: CardElement[] = [
    { type: 'heading', text: headline },
    statusCountFields(s),
    {
      type: 'table',
      columns: ['Control', 'Compliant', 'Non-compliant', 'Error'],
      rows: report.controls.map((id) => {
        const c = s.controls[id];
        return [id, String(c?.compliant ?? 0), String(c?.nonCompliant ?? 0), String(c?.error ?? 0)];
      }),
    },
  ];
  const broken = brokenLinkCounts(report);
  if (broken.length > 0) {
    elements.push({
      type: 'text',
      text: `Broken links (account x control): ${broken.map(([link, n]) => `${link} ${n}`).join(', ')}.`,
    });
  }
  if (shows(level, 'verbose')) {
    const calls = report.stats.apiCalls !== undefined ? `, ${report.stats.apiCalls} API calls` : '';
    elements.push({
      type: 'context',
      text: `Region ${report.region}; ${report.startedAt} to ${report.finishedAt}; ${report.stats.durationMs} ms${calls}.`,
    });
  }
  const extra = s.nonCompliant + s.error > 0 ? ` (${s.nonCompliant} non-compliant, ${s.error} error)` : '';
  return { summary: `${headline}${extra}`, elements };
}

/** Buttons for the chain controls cis-bot can plan a fix for (a service check is guidance only). */
function fixButtons(a: AccountResults): Button[] {
  const service = new Set<string>(SERVICE_CHECKS);
  return a.controls
    .filter((f) => f.status === 'NON_COMPLIANT' && f.brokenLink !== undefined && !service.has(f.brokenLink))
    .slice(0, 5)
    .map((f) => ({
      id: ACTION_REMEDIATE,
      label: `Propose a fix for ${f.control}`,
      style: 'primary' as const,
      value: JSON.stringify({ control: f.control, accountId: a.accountId }),
    }));
}

/** A row of statuses: `4.1 ✓  4.2 ✓  4.3 ✗ ...`. */
export function statusRow(a: AccountResults): string {
  return a.controls.map((f) => `${f.control} ${STATUS_MARK[f.status]}`).join('  ');
}

export function controlsAccountCard(
  a: AccountResults,
  report: ControlsReport,
  options: ControlsPresentOptions = {},
): Card {
  const open = a.controls.filter((f) => f.status !== 'COMPLIANT');
  const heading = `${controlsLabel(report.controls)} ${STATUS_WORD[a.status]}: account ${accountName(a)}`;
  const elements: CardElement[] = [
    { type: 'heading', text: heading },
    { type: 'text', text: a.reason },
    { type: 'text', text: statusRow(a), monospace: true },
  ];
  if (open.length > 0 && !a.accessError) {
    elements.push({
      type: 'table',
      columns: ['Control', 'Status', 'Link', 'Reason'],
      rows: open.map((f: AccountFinding) => [f.control, STATUS_WORD[f.status], f.brokenLink ?? '', f.reason]),
    });
  }
  const buttons = options.remediateButton ? fixButtons(a) : [];
  if (buttons.length > 0) elements.push({ type: 'actions', buttons });
  return { summary: `${heading}: ${a.reason}`.slice(0, 300), elements };
}

/** Every account's row of statuses (the accounts that need attention only, at `error`). */
export function controlsTableCard(report: ControlsReport, rows: readonly AccountResults[]): Card {
  const title = `${controlsLabel(report.controls)}: every account (${STATUS_MARK.COMPLIANT} compliant, ${STATUS_MARK.NON_COMPLIANT} non-compliant, ${STATUS_MARK.ERROR} error)`;
  return {
    summary: `${controlsLabel(report.controls)}: ${plural(rows.length, 'account')}, one row of statuses each`,
    elements: [
      { type: 'heading', text: title },
      {
        type: 'table',
        columns: ['Account', ...report.controls],
        rows: rows.map((a) => [accountName(a), ...a.controls.map((f) => STATUS_MARK[f.status])]),
      },
    ],
  };
}

/** All cards of a several-control audit at a level: summary, worst accounts, then the full table. */
export function presentControls(
  report: ControlsReport,
  level: NotificationLevel,
  options: ControlsPresentOptions = {},
): Card[] {
  const cards: Card[] = [];
  if (shows(level, 'info')) cards.push(controlsSummaryCard(report, level));
  const attention = worstFirst(report.accounts.filter((a) => a.status !== 'COMPLIANT'));
  for (const a of attention.slice(0, options.maxAccountCards ?? 10)) {
    cards.push(controlsAccountCard(a, report, options));
  }
  const rows = shows(level, 'info') ? worstFirst(report.accounts) : attention;
  const shown = rows.slice(0, options.maxTableRows ?? rows.length);
  if (shown.length > 0) cards.push(controlsTableCard(report, shown));
  return cards;
}
