/**
 * The compliance digest, pure: from this run's audit reports and the previous digest's stored summary,
 * the cards to post (overall status, per-account table, changes since the previous digest, failing items
 * with Remediate buttons) and the summary to store for the next digest. No I/O: the scheduler audits,
 * reads and writes the store, remediates, and posts.
 *
 * `default_action: skip` hides a control's failing accounts from the cards only: the stored summary keeps
 * every account, so the baseline stays whole (switching back to notify reports true streaks, and a
 * skipped account is never "no longer audited").
 */
import type { Card } from '../cards';
import type { AuditReport } from '../evaluate/findings';
import type { NotificationLevel } from '../levels';
import { DEFAULT_DIGEST_LIMITS, type DigestLimits, digestCards } from '../present/digest-cards';
import { compareWithPrevious, type DigestChanges, type DigestItem } from './changes';
import type { DigestRemediation } from './remediation';
import {
  countEntries,
  DIGEST_SUMMARY_VERSION,
  type DigestEntry,
  type DigestSummary,
  type DigestTrigger,
  entryKey,
  isFailing,
} from './summary';

export {
  type ChangeKind,
  type CompareInput,
  compareWithPrevious,
  type DigestChanges,
  type DigestItem,
  failingFor,
  streakStart,
} from './changes';
export { accountLabel, localTime } from './format';
export {
  type DigestRemediation,
  type DigestRemediationOutcome,
  remediationCounts,
  remediationLine,
  remediationSettled,
} from './remediation';
export {
  countEntries,
  DIGEST_SUMMARY_VERSION,
  type DigestDelivery,
  type DigestEntry,
  type DigestSummary,
  type DigestTrigger,
  entryKey,
  isFailing,
  parseDigestSummary,
} from './summary';

/** One control's audit in this run: its report, or why the whole audit of it failed (a safe message). */
export type ControlOutcome = { control: string; report: AuditReport } | { control: string; error: string };

export interface BuildDigestInput {
  schedule: { name: string; timezone: string; level: NotificationLevel };
  outcomes: readonly ControlOutcome[];
  /** The summary stored by the previous completed run of the schedule (parsed with parseDigestSummary). */
  previous?: DigestSummary | undefined;
  /** The run's time: the scheduled fire time, or the request time on demand. */
  at: Date;
  trigger?: DigestTrigger;
  /** Start of each entry's current failing streak from the audit history (`control|account` keys). */
  historySince?: ReadonlyMap<string, string>;
  limits?: Partial<DigestLimits>;
  /** Controls whose `default_action` is `skip`: their failing accounts are not listed. */
  skipControls?: readonly string[];
  /** What automatic remediation did before this digest (`default_action: remediate`). */
  remediations?: readonly DigestRemediation[];
}

export interface Digest {
  cards: Card[];
  /** What to store with completeScheduleRun (add `deliveries` once posted). */
  summary: DigestSummary;
  items: DigestItem[];
  changes: DigestChanges;
}

function entryOf(item: DigestItem): DigestEntry {
  return {
    control: item.control,
    accountId: item.accountId,
    ...(item.label !== undefined ? { label: item.label } : {}),
    status: item.status,
    ...(item.reason !== undefined ? { reason: item.reason } : {}),
    ...(item.failingSince !== undefined ? { failingSince: item.failingSince } : {}),
  };
}

export function buildDigest(input: BuildDigestInput): Digest {
  const { schedule, previous, at } = input;
  const reports: AuditReport[] = [];
  const controlErrors: Array<{ control: string; error: string }> = [];
  for (const o of input.outcomes) {
    if ('report' in o) reports.push(o.report);
    else controlErrors.push({ control: o.control, error: o.error });
  }
  const { items, changes } = compareWithPrevious({
    findings: reports.flatMap((r) => r.accounts),
    auditedControls: reports.map((r) => r.control),
    previous,
    at,
    ...(input.historySince ? { historySince: input.historySince } : {}),
  });
  const limits = { ...DEFAULT_DIGEST_LIMITS, ...input.limits };
  const skip = new Set(input.skipControls ?? []);
  const hidden = new Set(
    items.filter((i) => skip.has(i.control) && isFailing(i.status)).map((i) => entryKey(i)),
  );
  const listed = (i: DigestEntry) => !hidden.has(entryKey(i));
  const skipped = [...skip].map((control) => ({
    control,
    count: items.filter((i) => i.control === control && hidden.has(entryKey(i))).length,
  }));
  const remediations = input.remediations ?? [];
  const cards = digestCards({
    scheduleName: schedule.name,
    timeZone: schedule.timezone,
    level: schedule.level,
    at,
    trigger: input.trigger ?? 'scheduled',
    items: items.filter(listed),
    changes: {
      ...changes,
      newlyFailing: changes.newlyFailing.filter(listed),
      stillFailing: changes.stillFailing.filter(listed),
    },
    controlErrors,
    reports,
    limits,
    skipped,
    remediations,
  });
  // A control that could not be audited keeps its previous entries: the baseline must not be lost to
  // one bad night (the next digest would otherwise call every failing account "newly failing").
  const failed = new Set(controlErrors.map((e) => e.control));
  const carried = (previous?.entries ?? []).filter((e) => failed.has(e.control));
  const entries = [...items.map(entryOf), ...carried];
  const nothingAudited = reports.length === 0;
  const summary: DigestSummary = {
    v: DIGEST_SUMMARY_VERSION,
    schedule: schedule.name,
    at: at.toISOString(),
    status: nothingAudited ? 'carried' : 'ok',
    controls: input.outcomes.map((o) => o.control),
    entries: nothingAudited ? (previous?.entries ?? []) : entries,
    counts: countEntries(items),
    ...(controlErrors.length ? { controlErrors } : {}),
    baselineAt: nothingAudited && previous ? (previous.baselineAt ?? previous.at) : at.toISOString(),
    ...(hidden.size ? { skippedByConfig: skipped.filter((s) => s.count > 0) } : {}),
    ...(remediations.length
      ? {
          remediations: remediations.map((r) => ({
            control: r.control,
            accountId: r.accountId,
            outcome: r.outcome,
          })),
        }
      : {}),
  };
  return { cards, summary, items, changes };
}
