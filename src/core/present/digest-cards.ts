/**
 * The digest as neutral cards, by notification level (monotonic: each element is tagged with the lowest
 * level that shows it):
 * - error: the headline, controls that could not be audited, and the failing items, each with a
 *   Remediate button (`cis:remediate`, value `{"control","accountId"}`) that enters the approval flow;
 * - info: plus counts, what changed since the previous digest, and every account in a compact table
 *   (one line of names instead when all is well);
 * - verbose: plus each failing item's chain, link by link, and audit timings and API-call counts.
 * Platform limits are kept by construction: rows per card and items per card are capped and the rest
 * continue in further cards (adapters post continuations in the thread); texts are clipped.
 * `default_action` per control: `skip` leaves a control's failing accounts out (one line says how many);
 * `remediate` adds the automatic remediation's outcome per account (at level error only what still
 * needs a person).
 */
import type { Button, Card, CardElement } from '../cards';
import { type DigestChanges, type DigestItem, failingFor } from '../digest/changes';
import { accountLabel, clip, listNames, localTime } from '../digest/format';
import {
  type DigestRemediation,
  remediationCounts,
  remediationLine,
  remediationSettled,
} from '../digest/remediation';
import type { DigestEntry, DigestTrigger } from '../digest/summary';
import type { AccountStatus, AuditReport, LinkStatus } from '../evaluate/findings';
import { type NotificationLevel, shows } from '../levels';
import { ACTION_REMEDIATE } from '../ports/chat';

export interface DigestLimits {
  /** Table rows per card (Slack shows a table as monospace sections; Teams cards have a size limit). */
  rowsPerCard: number;
  /** Failing items per card: each is 2 to 3 elements, so 8 stay far below Slack's 50 blocks. */
  itemsPerCard: number;
  /** Names listed in one line before "and N more". */
  namesInLine: number;
  /** Longest reason text per item. */
  reasonChars: number;
}

export const DEFAULT_DIGEST_LIMITS: DigestLimits = {
  rowsPerCard: 20,
  itemsPerCard: 8,
  namesInLine: 30,
  reasonChars: 600,
};

export interface DigestCardsInput {
  scheduleName: string;
  timeZone: string;
  level: NotificationLevel;
  at: Date;
  trigger: DigestTrigger;
  items: readonly DigestItem[];
  changes: DigestChanges;
  /** Controls whose audit failed as a whole, with a message safe to show. */
  controlErrors: ReadonlyArray<{ control: string; error: string }>;
  reports: readonly AuditReport[];
  limits: DigestLimits;
  /** Failing accounts left out per control (`default_action: skip`); `items` no longer hold them. */
  skipped?: ReadonlyArray<{ control: string; count: number }>;
  /** What automatic remediation did this run (`default_action: remediate`). */
  remediations?: readonly DigestRemediation[];
}

export const DIGEST_STATUS_WORD: Record<AccountStatus, string> = {
  COMPLIANT: 'compliant',
  NON_COMPLIANT: 'NON-COMPLIANT',
  ACCEPTED: 'ACCEPTED',
  ERROR: 'ERROR',
};

const STATUS_MARK: Record<AccountStatus, string> = {
  COMPLIANT: '✓',
  NON_COMPLIANT: '✗',
  ACCEPTED: '~',
  ERROR: '!',
};
const LINK_WORD: Record<LinkStatus, string> = {
  pass: '✓ pass',
  warn: '~ warn',
  fail: '✗ FAIL',
  error: '! ERROR',
};
const STATUS_ORDER: Record<AccountStatus, number> = { NON_COMPLIANT: 0, ERROR: 1, ACCEPTED: 2, COMPLIANT: 3 };

const TRIGGER_WORD: Record<DigestTrigger, string> = {
  scheduled: 'Scheduled digest',
  'catch-up': 'Catch-up of the scheduled digest',
  'on-demand': 'Digest on demand',
};

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function byAttention(a: DigestItem, b: DigestItem): number {
  const s = STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
  if (s !== 0) return s;
  // Newest failures first (they are news), then the longest-standing.
  const newA = a.change === 'newly-failing' ? 0 : 1;
  const newB = b.change === 'newly-failing' ? 0 : 1;
  if (newA !== newB) return newA - newB;
  const since = (a.failingSince ?? '').localeCompare(b.failingSince ?? '');
  if (since !== 0) return since;
  return a.accountId.localeCompare(b.accountId) || a.control.localeCompare(b.control);
}

/** How long the item has been failing, when we know: a first digest without history only knows "now". */
function duration(item: DigestItem, at: Date): string | undefined {
  if (!item.failingSince) return undefined;
  if (item.change === 'first' && item.failingSince === at.toISOString()) return undefined;
  return `failing ${failingFor(item.failingSince, at)}`;
}

function noteFor(item: DigestItem, at: Date): string {
  switch (item.change) {
    case 'newly-failing':
      return 'new';
    case 'fixed':
      return 'fixed';
    case 'still-failing':
    case 'first':
      return duration(item, at) ?? '';
    case 'still-compliant':
    case 'new-compliant':
      return '';
  }
}

function named(e: Pick<DigestEntry, 'accountId' | 'label' | 'control'>, multiControl: boolean): string {
  return multiControl ? `${accountLabel(e)} (CIS ${e.control})` : accountLabel(e);
}

function changeLines(input: DigestCardsInput, multiControl: boolean): string {
  const { changes, limits, at, timeZone } = input;
  if (changes.previousAt === undefined) {
    return 'First digest of this schedule: changes are reported from the next one.';
  }
  const since = localTime(changes.previousAt, timeZone);
  const lines: string[] = [];
  const list = (items: readonly DigestEntry[]) =>
    listNames(
      items.map((i) => named(i, multiControl)),
      limits.namesInLine,
    );
  if (changes.fixed.length) lines.push(`Fixed: ${list(changes.fixed)}`);
  if (changes.newlyFailing.length) lines.push(`Newly failing: ${list(changes.newlyFailing)}`);
  if (changes.stillFailing.length) {
    const still = changes.stillFailing.map((i) =>
      `${named(i, multiControl)} ${i.failingSince ? failingFor(i.failingSince, at) : ''}`.trim(),
    );
    lines.push(`Still failing: ${listNames(still, limits.namesInLine)}`);
  }
  if (changes.removed.length) lines.push(`No longer audited: ${list(changes.removed)}`);
  if (lines.length === 0) return `No change since the previous digest (${since}).`;
  return [`Since the previous digest (${since}):`, ...lines.map((l) => `• ${l}`)].join('\n');
}

function headline(input: DigestCardsInput, multiControl: boolean): string {
  const total = input.items.length;
  const failing = input.items.filter((i) => i.status !== 'COMPLIANT').length;
  const noun = multiControl ? 'account checks' : total === 1 ? 'account' : 'accounts';
  const name = `CIS digest "${input.scheduleName}"`;
  const skipped = skippedTotal(input);
  const notListed = `${skipped} failing ${skipped === 1 ? 'is' : 'are'} not listed by configuration`;
  if (total === 0) return skipped ? `${name}: ${notListed}` : `${name}: the audit could not run`;
  if (failing === 0 && input.controlErrors.length === 0) {
    // Never "all compliant" while failing accounts are only hidden.
    if (skipped)
      return `${name}: ${total} ${total === 1 && !multiControl ? 'account' : noun} compliant, ${notListed}`;
    return total === 1 ? `${name}: the account is compliant` : `${name}: all ${total} ${noun} compliant`;
  }
  if (failing === 0) return `${name}: ${total} ${noun} compliant, but not every control could be audited`;
  return `${name}: ${failing} of ${total} ${noun} ${failing === 1 ? 'needs' : 'need'} attention`;
}

function skippedTotal(input: Pick<DigestCardsInput, 'skipped'>): number {
  return (input.skipped ?? []).reduce((n, s) => n + s.count, 0);
}

/** One line: how many failing accounts `default_action: skip` left out, per control. */
function skippedLine(input: DigestCardsInput): string | undefined {
  const per = (input.skipped ?? []).filter((s) => s.count > 0);
  if (per.length === 0) return undefined;
  const parts = per.map(
    (s, i) => `${s.count}${i === 0 ? ` failing account${s.count === 1 ? '' : 's'}` : ''} of CIS ${s.control}`,
  );
  return `Not listed by configuration (default_action: skip): ${parts.join(', ')}.`;
}

/** Cards of the automatic remediation outcomes; at level error only those that still need a person. */
function remediationCards(input: DigestCardsInput): Card[] {
  const all = input.remediations ?? [];
  const shown = shows(input.level, 'info') ? all : all.filter((r) => !remediationSettled(r));
  const pages = chunk(shown, input.limits.itemsPerCard);
  return pages.map((page, p) => {
    const range = pages.length === 1 ? '' : `, ${p + 1} of ${pages.length}`;
    const heading = `Automatic remediation (default_action: remediate): ${remediationCounts(shown)}${range}`;
    return {
      summary: clip(`CIS digest "${input.scheduleName}": ${heading}`, 300),
      elements: [
        { type: 'heading', text: clip(heading, 150) },
        ...page.map(
          (r): CardElement => ({ type: 'text', text: remediationLine(r, input.limits.reasonChars) }),
        ),
      ],
    };
  });
}

function remediate(item: DigestItem): Button {
  return {
    id: ACTION_REMEDIATE,
    label: `Remediate ${item.accountId}`,
    style: 'primary',
    value: JSON.stringify({ control: item.control, accountId: item.accountId }),
  };
}

function itemElements(item: DigestItem, input: DigestCardsInput): CardElement[] {
  const parts = [
    `${STATUS_MARK[item.status]} ${accountLabel(item)}`,
    `CIS ${item.control} ${DIGEST_STATUS_WORD[item.status]}`,
  ];
  if (item.change === 'newly-failing') parts.push('new since the previous digest');
  else {
    const d = duration(item, input.at);
    if (d) parts.push(d);
  }
  const elements: CardElement[] = [
    { type: 'text', text: `${parts.join(' · ')}\n${clip(item.reason ?? '', input.limits.reasonChars)}` },
  ];
  if (shows(input.level, 'verbose') && item.finding.links.length > 0) {
    elements.push({
      type: 'table',
      columns: ['Link', 'Status', 'Detail'],
      rows: item.finding.links.map((l) => [
        l.link,
        LINK_WORD[l.status],
        clip(l.action ? `${l.detail} [${l.action}]` : l.detail, 300),
      ]),
    });
  }
  // Only a non-compliant account has something to fix; an ERROR says what we could not read.
  if (item.status === 'NON_COMPLIANT') elements.push({ type: 'actions', buttons: [remediate(item)] });
  return elements;
}

function tableRows(input: DigestCardsInput, multiControl: boolean): string[][] {
  const sorted = [...input.items].sort(byAttention);
  return sorted.map((i) => [
    accountLabel(i),
    ...(multiControl ? [i.control] : []),
    DIGEST_STATUS_WORD[i.status],
    noteFor(i, input.at),
  ]);
}

/** All cards of a digest at its level; empty when the level asks for nothing and nothing is wrong. */
/** How many days ahead a digest warns of accepted exceptions that expire. */
export const EXCEPTION_WARNING_DAYS = 14;

/**
 * Accepted exceptions expiring within EXCEPTION_WARNING_DAYS of the digest, and those that expired (their
 * control fails again), read from the audited findings (ACCEPTED ones carry their exception).
 */
export function exceptionNotes(reports: readonly AuditReport[], at: Date): string[] {
  const horizon = new Date(at.getTime() + EXCEPTION_WARNING_DAYS * 86_400_000).toISOString().slice(0, 10);
  const findings = reports.flatMap((r) => r.accounts);
  const expiring = findings
    .filter((f) => f.exception && f.exception.until <= horizon)
    .map(
      (f) =>
        `CIS ${f.control} ${accountLabel(f)} until ${f.exception?.until} (${clip(f.exception?.reason ?? '', 120)})`,
    );
  const expired = findings
    .filter((f) => f.lapsedException?.why === 'expired')
    .map((f) => `CIS ${f.control} ${accountLabel(f)} expired on ${f.lapsedException?.until}`);
  const lines: string[] = [];
  if (expiring.length > 0) {
    lines.push(
      clip(
        `Accepted exceptions expiring within ${EXCEPTION_WARNING_DAYS} days: ${expiring.join('; ')}.`,
        2500,
      ),
    );
  }
  if (expired.length > 0) {
    lines.push(clip(`Exceptions that expired (the control fails again): ${expired.join('; ')}.`, 2500));
  }
  return lines;
}

export function digestCards(input: DigestCardsInput): Card[] {
  const { level, limits, items } = input;
  const controls = new Set([...items.map((i) => i.control), ...input.controlErrors.map((e) => e.control)]);
  const multiControl = controls.size > 1;
  const failing = items.filter((i) => i.status !== 'COMPLIANT').sort(byAttention);
  const somethingWrong = failing.length > 0 || input.controlErrors.length > 0;
  if (!shows(level, 'info') && !somethingWrong) return [];

  const title = headline(input, multiControl);
  const counts = {
    compliant: items.filter((i) => i.status === 'COMPLIANT').length,
    nonCompliant: items.filter((i) => i.status === 'NON_COMPLIANT').length,
    error: items.filter((i) => i.status === 'ERROR').length,
  };
  const header: CardElement[] = [{ type: 'heading', text: title }];
  for (const e of input.controlErrors) {
    header.push({ type: 'text', text: clip(`CIS ${e.control} could not be audited: ${e.error}`, 1000) });
  }
  const skipped = skippedLine(input);
  if (skipped) header.push({ type: 'text', text: skipped });
  const continuation: Card[] = [];
  if (shows(level, 'info')) {
    header.push({
      type: 'fields',
      fields: [
        { label: 'Compliant', value: String(counts.compliant) },
        { label: 'Non-compliant', value: String(counts.nonCompliant) },
        { label: 'Error', value: String(counts.error) },
        {
          label: multiControl ? 'Controls' : 'Control',
          value: [...controls].map((c) => `CIS ${c}`).join(', '),
        },
      ],
    });
    header.push({ type: 'text', text: changeLines(input, multiControl) });
    for (const line of exceptionNotes(input.reports, input.at)) header.push({ type: 'text', text: line });
    if (!somethingWrong) {
      // Short when all is well: the compliant accounts in one line.
      const names = items.map((i) => named(i, multiControl));
      if (names.length)
        header.push({ type: 'text', text: `Compliant: ${listNames(names, limits.namesInLine)}` });
    } else if (items.length > 0) {
      const columns = ['Account', ...(multiControl ? ['Control'] : []), 'Status', 'Note'];
      const [first = [], ...rest] = chunk(tableRows(input, multiControl), limits.rowsPerCard);
      header.push({ type: 'table', columns, rows: first });
      rest.forEach((rows, i) => {
        const text = `Accounts (continued, ${i + 2} of ${rest.length + 1})`;
        continuation.push({
          summary: `${title}: ${text}`,
          elements: [
            { type: 'heading', text },
            { type: 'table', columns, rows },
          ],
        });
      });
    }
  } else {
    header.push({
      type: 'text',
      text: `${counts.nonCompliant} non-compliant, ${counts.error} could not be audited.`,
    });
  }
  if (shows(level, 'verbose')) {
    for (const r of input.reports) {
      const calls = r.stats.apiCalls !== undefined ? `, ${r.stats.apiCalls} API calls` : '';
      header.push({
        type: 'context',
        text: `CIS ${r.control}: ${r.summary.total} account(s) audited from ${r.region} in ${r.stats.durationMs} ms${calls}.`,
      });
    }
  }
  header.push({
    type: 'context',
    text: `${TRIGGER_WORD[input.trigger]} · ${localTime(input.at, input.timeZone)} · CIS AWS Foundations v4.0.0`,
  });

  const extras: string[] = [];
  if (input.changes.newlyFailing.length) extras.push(`${input.changes.newlyFailing.length} newly failing`);
  if (input.changes.fixed.length) extras.push(`${input.changes.fixed.length} fixed`);
  const autoFixed = (input.remediations ?? []).filter((r) => r.outcome === 'fixed').length;
  if (autoFixed) extras.push(`${autoFixed} fixed automatically`);
  const cards: Card[] = [
    { summary: clip(extras.length ? `${title} (${extras.join(', ')})` : title, 300), elements: header },
    ...continuation,
    ...remediationCards(input),
  ];

  const pages = chunk(failing, limits.itemsPerCard);
  pages.forEach((page, p) => {
    const from = p * limits.itemsPerCard + 1;
    const range =
      pages.length === 1 ? `${failing.length}` : `${from}–${from + page.length - 1} of ${failing.length}`;
    const heading = `Needs attention (${range})`;
    const elements: CardElement[] = [{ type: 'heading', text: heading }];
    page.forEach((item, i) => {
      if (i > 0) elements.push({ type: 'divider' });
      elements.push(...itemElements(item, input));
    });
    cards.push({ summary: `CIS digest "${input.scheduleName}": ${heading.toLowerCase()}`, elements });
  });
  return cards;
}
