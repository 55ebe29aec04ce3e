/**
 * Cards for the read-only chat commands (help, last results for `status`, the audit log for `history`)
 * and the one-line notice every edge uses for refusals and stops. Pure: data in, neutral cards out.
 */
import type { Card } from '../cards';
import { USAGE } from '../commands';
import type { AuditLogEntry, StoredFinding } from '../ports/store';

export function helpCard(): Card {
  return {
    summary: 'cis-bot: CIS AWS Foundations v4.0.0 monitoring controls, audited and fixed with approval',
    elements: [
      { type: 'heading', text: 'cis-bot help' },
      { type: 'text', text: USAGE, monospace: true },
      {
        type: 'context',
        text: 'Levels: error shows what needs a human; info adds the summary; verbose adds every piece of evidence.',
      },
    ],
  };
}

export function statusCard(control: string, findings: readonly StoredFinding[]): Card {
  if (findings.length === 0) {
    return {
      summary: `No audit of ${control} has been recorded yet`,
      elements: [
        { type: 'text', text: `No audit of ${control} has been recorded yet. Run "${control} audit".` },
      ],
    };
  }
  const failing = findings.filter((f) => f.status !== 'COMPLIANT').length;
  return {
    summary: `${control}: ${findings.length - failing} of ${findings.length} accounts compliant at their last audit`,
    elements: [
      { type: 'heading', text: `CIS ${control}: last results` },
      {
        type: 'table',
        columns: ['Account', 'Status', 'Audited', 'Reason'],
        rows: findings.map((f) => [f.accountId, f.status, f.at.replace(/\.\d+Z$/, 'Z'), f.reason ?? '']),
      },
    ],
  };
}

function describeEntry(e: AuditLogEntry): string {
  const d = (e.detail ?? {}) as Record<string, unknown>;
  if (e.kind === 'audit' && typeof d.summary === 'object' && d.summary) {
    const s = d.summary as Record<string, number>;
    return `${s.compliant ?? 0} compliant, ${s.nonCompliant ?? 0} non-compliant, ${s.error ?? 0} error`;
  }
  if (typeof d.message === 'string') return d.message;
  if (typeof d.title === 'string') return d.title;
  if (typeof d.status === 'string') return d.status;
  if (typeof d.reason === 'string') return d.reason;
  return '';
}

export function historyCard(entries: readonly AuditLogEntry[]): Card {
  if (entries.length === 0) {
    return {
      summary: 'The audit log is empty',
      elements: [{ type: 'text', text: 'The audit log is empty.' }],
    };
  }
  return {
    summary: `The last ${entries.length} audit-log entries`,
    elements: [
      { type: 'heading', text: 'Audit log (newest first)' },
      {
        type: 'table',
        columns: ['When', 'What', 'Who', 'Control', 'Account', 'Detail'],
        rows: entries.map((e) => [
          e.at.replace(/\.\d+Z$/, 'Z'),
          e.kind,
          e.actor ? (e.actor.displayName ?? e.actor.userId) : '',
          e.control ?? '',
          e.accountId ?? '',
          describeEntry(e),
        ]),
      },
    ],
  };
}

/** A safe one-card notice (refusals, stale or expired plans, stops); its first line is the summary. */
export function noticeCard(text: string, options: { monospace?: boolean } = {}): Card {
  return {
    summary: text.split('\n')[0] ?? text,
    elements: [{ type: 'text', text, ...(options.monospace ? { monospace: true } : {}) }],
  };
}

/** The end of work that stopped on an error (the message is already safe to show). */
export function stoppedCard(message: string): Card {
  const text = `Stopped: ${message}`;
  return { summary: text, elements: [{ type: 'context', text }] };
}
