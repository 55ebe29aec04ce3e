/**
 * Automatic remediation in a digest (`controls.<id>.default_action: remediate`): the neutral record of
 * what the scheduler did for one non-compliant account, and the line a digest shows for it (fixed,
 * awaiting confirmation, failed at a step, guidance only...), the re-audit's verdict included. Pure.
 */
import type { AccountStatus } from '../evaluate/findings';
import { accountLabel, clip } from './format';

export type DigestRemediationOutcome =
  /** Steps done and the re-audit says COMPLIANT. */
  | 'fixed'
  /** Steps done; a subscription waits for its endpoint's owner to confirm it. */
  | 'awaiting-confirmation'
  /** Steps done, but the re-audit is not COMPLIANT. */
  | 'not-compliant'
  /** A step failed; later steps were not run. */
  | 'failed'
  /** Nothing cis-bot can change: a person must act (e.g. start the trail's logging). */
  | 'guidance-only'
  /** Compliant by the time remediation looked again. */
  | 'nothing-to-do'
  /** Not attempted in this run: the run's time budget was spent (retried at the next digest). */
  | 'deferred'
  /** The remediation could not run (refused, or an error before any step). */
  | 'error';

export interface DigestRemediation {
  control: string;
  accountId: string;
  label?: string;
  outcome: DigestRemediationOutcome;
  /** Steps the executor reported, by status. */
  steps?: { done: number; skipped: number; total: number };
  failedStep?: { id: string; title: string; errorCode?: string; message: string };
  /** Subscriptions waiting for their endpoint's owner to confirm them. */
  awaiting?: Array<{ protocol: string; endpoint: string }>;
  /** The re-audit after the steps. */
  reaudit?: { status: AccountStatus; reason: string } | { error: string };
  /** Titles of what a person must do (guidance-only). */
  guidance?: string[];
  /** A message safe to show (error, deferred). */
  error?: string;
  approvalId?: string;
}

const MARK: Record<DigestRemediationOutcome, string> = {
  fixed: '✓',
  'nothing-to-do': '✓',
  'awaiting-confirmation': '~',
  'not-compliant': '✗',
  failed: '✗',
  'guidance-only': '!',
  deferred: '!',
  error: '!',
};

const VERDICT: Record<AccountStatus, string> = {
  COMPLIANT: 'compliant',
  NON_COMPLIANT: 'NON-COMPLIANT',
  ACCEPTED: 'ACCEPTED',
  ERROR: 'ERROR',
};

/** Needs no person: what `error`-level digests leave out. */
export function remediationSettled(r: Pick<DigestRemediation, 'outcome'>): boolean {
  return r.outcome === 'fixed' || r.outcome === 'nothing-to-do';
}

function reauditText(r: DigestRemediation, reasonChars: number): string | undefined {
  if (!r.reaudit) return undefined;
  if ('error' in r.reaudit) return `re-audit failed: ${clip(r.reaudit.error, reasonChars)}`;
  if (r.reaudit.status === 'COMPLIANT') return 're-audit: compliant';
  return `re-audit: ${VERDICT[r.reaudit.status]}: ${clip(r.reaudit.reason, reasonChars)}`;
}

function stepsText(r: DigestRemediation): string {
  const s = r.steps;
  if (!s) return '';
  const parts = [`${s.done} step${s.done === 1 ? '' : 's'} done`];
  if (s.skipped) parts.push(`${s.skipped} already in place`);
  return ` (${parts.join(', ')})`;
}

function what(r: DigestRemediation, reasonChars: number): string {
  switch (r.outcome) {
    case 'fixed':
      return `fixed automatically${stepsText(r)}`;
    case 'awaiting-confirmation': {
      const who = (r.awaiting ?? []).map((a) => `${a.protocol} ${a.endpoint}`).join(', ');
      return `steps done${stepsText(r)}; awaiting confirmation of the subscription by ${who || 'its endpoint'}`;
    }
    case 'not-compliant':
      return `steps done${stepsText(r)}, but the account is still not compliant`;
    case 'failed': {
      const f = r.failedStep;
      if (!f) return 'failed';
      const code = f.errorCode ? ` (${f.errorCode})` : '';
      return `failed at step "${f.title}"${code}: ${clip(f.message, reasonChars)}`;
    }
    case 'guidance-only':
      return `guidance only, nothing cis-bot can change: ${(r.guidance ?? []).join('; ') || 'see the plan'}`;
    case 'nothing-to-do':
      return 'nothing to do: compliant when remediation started';
    case 'deferred':
      return `not attempted in this run: ${r.error ?? 'time budget spent'}`;
    case 'error':
      return `automatic remediation could not run: ${clip(r.error ?? 'unknown error', reasonChars)}`;
  }
}

/** `✓ 333333333333 (dev) · CIS 4.1 · fixed automatically (3 steps done) · re-audit: compliant` */
export function remediationLine(r: DigestRemediation, reasonChars: number): string {
  const parts = [`${MARK[r.outcome]} ${accountLabel(r)}`, `CIS ${r.control}`, what(r, reasonChars)];
  const verdict = reauditText(r, reasonChars);
  if (verdict) parts.push(verdict);
  return parts.join(' · ');
}

/** Counts per outcome, for headings and the run record: `2 fixed, 1 failed`. */
export function remediationCounts(list: readonly DigestRemediation[]): string {
  const counts = new Map<string, number>();
  for (const r of list) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${n} ${o.replace(/-/g, ' ')}`).join(', ');
}
