/**
 * What changed since the previous digest of a schedule: each (control, account) of this run compared
 * with the stored baseline. Failing means any status but COMPLIANT (an account we cannot audit is not
 * known to be safe). A failing streak keeps the time it was first seen, so a digest can say "failing for
 * 3 days" however many digests came in between. Pure.
 */
import type { AccountFinding, AccountStatus } from '../evaluate/findings';
import { type DigestEntry, type DigestSummary, entryKey, isFailing } from './summary';

export type ChangeKind =
  /** No previous digest to compare with. */
  | 'first'
  | 'newly-failing'
  | 'fixed'
  | 'still-failing'
  | 'still-compliant'
  /** An account seen for the first time, compliant. */
  | 'new-compliant';

export interface DigestItem extends DigestEntry {
  change: ChangeKind;
  previousStatus?: AccountStatus;
  finding: AccountFinding;
}

export interface DigestChanges {
  /** ISO time of the digest compared with; absent for a schedule's first digest. */
  previousAt?: string;
  newlyFailing: DigestItem[];
  fixed: DigestItem[];
  stillFailing: DigestItem[];
  /** In the previous digest, for a control audited this time, but no longer among its accounts. */
  removed: DigestEntry[];
}

export interface CompareInput {
  /** This run's findings, all controls that could be audited. */
  findings: readonly AccountFinding[];
  /** Controls audited this run (their absent previous entries count as removed). */
  auditedControls: readonly string[];
  previous?: DigestSummary | undefined;
  at: Date;
  /** Start of the current failing streak per entry key, from the audit history (first digests). */
  historySince?: ReadonlyMap<string, string>;
}

export function compareWithPrevious(input: CompareInput): { items: DigestItem[]; changes: DigestChanges } {
  const { previous, at } = input;
  const before = new Map((previous?.entries ?? []).map((e) => [entryKey(e), e]));
  const atIso = at.toISOString();
  const items = input.findings.map((finding): DigestItem => {
    const key = entryKey(finding);
    const prev = before.get(key);
    const failing = isFailing(finding.status);
    let change: ChangeKind;
    if (!previous) change = 'first';
    else if (!prev) change = failing ? 'newly-failing' : 'new-compliant';
    else if (isFailing(prev.status)) change = failing ? 'still-failing' : 'fixed';
    else change = failing ? 'newly-failing' : 'still-compliant';
    let failingSince: string | undefined;
    if (failing) {
      const carried = prev && isFailing(prev.status) ? prev.failingSince : undefined;
      const fromHistory = input.historySince?.get(key);
      failingSince = earliest(carried, fromHistory) ?? atIso;
      if (failingSince > atIso) failingSince = atIso;
    }
    return {
      control: finding.control,
      accountId: finding.accountId,
      ...(finding.label !== undefined ? { label: finding.label } : {}),
      status: finding.status,
      reason: finding.reason,
      ...(failingSince !== undefined ? { failingSince } : {}),
      change,
      ...(prev ? { previousStatus: prev.status } : {}),
      finding,
    };
  });
  const now = new Set(items.map(entryKey));
  const audited = new Set(input.auditedControls);
  const removed = previous
    ? previous.entries.filter((e) => audited.has(e.control) && !now.has(entryKey(e)))
    : [];
  const previousAt = previous ? (previous.baselineAt ?? previous.at) : undefined;
  return {
    items,
    changes: {
      ...(previousAt !== undefined ? { previousAt } : {}),
      newlyFailing: items.filter((i) => i.change === 'newly-failing'),
      fixed: items.filter((i) => i.change === 'fixed'),
      stillFailing: items.filter((i) => i.change === 'still-failing'),
      removed,
    },
  };
}

function earliest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

/** Whole days a streak has lasted, as people say it ("for 3 days", "since today"). */
export function failingFor(since: string, at: Date): string {
  const days = Math.floor((at.getTime() - Date.parse(since)) / 86_400_000);
  if (days < 1) return 'for less than a day';
  return days === 1 ? 'for 1 day' : `for ${days} days`;
}

/** Start of the trailing failing streak in an account's history (oldest first), if it ends failing. */
export function streakStart(history: ReadonlyArray<{ status: string; at: string }>): string | undefined {
  let start: string | undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i] as { status: string; at: string };
    if (h.status === 'COMPLIANT') break;
    start = h.at;
  }
  return start;
}
