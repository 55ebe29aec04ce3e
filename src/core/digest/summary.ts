/**
 * The digest summary: what a completed scheduled run stores (through `completeScheduleRun`) so the next
 * digest of the same schedule can say what changed: per control and account the status and, for a
 * failing one, since when it has been failing. Plain JSON; read back tolerantly because the store hands
 * it back as `unknown` and older versions may have written fewer fields.
 */
import type { AccountStatus, AuditSummary } from '../evaluate/findings';

/** What started a digest: its schedule's timer, the start-up catch-up of a missed run, or a person. */
export type DigestTrigger = 'scheduled' | 'catch-up' | 'on-demand';

export const DIGEST_SUMMARY_VERSION = 1;

export interface DigestEntry {
  control: string;
  accountId: string;
  label?: string;
  status: AccountStatus;
  /** One line: the first broken link, or why the account could not be audited. */
  reason?: string;
  /** ISO time the current failing streak (any status but COMPLIANT) was first seen; absent when compliant. */
  failingSince?: string;
}

export interface DigestDelivery {
  platform: string;
  id: string;
  error?: string;
}

export interface DigestSummary {
  v: number;
  schedule: string;
  /** ISO time of the run: the scheduled fire time, or the request time of an on-demand digest. */
  at: string;
  /** `carried`: the audit could not run; `entries` are the previous digest's, kept as the baseline. */
  status: 'ok' | 'carried';
  controls: string[];
  entries: DigestEntry[];
  counts: AuditSummary;
  /** Controls whose audit failed as a whole (e.g. no credentials), with the safe message shown. */
  controlErrors?: Array<{ control: string; error: string }>;
  /** ISO time of the last digest whose audit ran (the baseline `entries` come from). */
  baselineAt?: string;
  deliveries?: DigestDelivery[];
  /** The run was missed while the bot was down and was too old to catch up: nothing was posted. */
  skipped?: boolean;
  /** Failing accounts the digest did not list (`default_action: skip`), per control. */
  skippedByConfig?: Array<{ control: string; count: number }>;
  /** What automatic remediation did before the digest (`default_action: remediate`). */
  remediations?: Array<{ control: string; accountId: string; outcome: string }>;
}

const STATUSES: readonly string[] = ['COMPLIANT', 'NON_COMPLIANT', 'ERROR'];

export function entryKey(e: Pick<DigestEntry, 'control' | 'accountId'>): string {
  return `${e.control}|${e.accountId}`;
}

export function isFailing(status: AccountStatus): boolean {
  return status !== 'COMPLIANT';
}

function readEntry(raw: unknown): DigestEntry | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.control !== 'string' || typeof r.accountId !== 'string') return undefined;
  if (typeof r.status !== 'string' || !STATUSES.includes(r.status)) return undefined;
  return {
    control: r.control,
    accountId: r.accountId,
    status: r.status as AccountStatus,
    ...(typeof r.label === 'string' ? { label: r.label } : {}),
    ...(typeof r.reason === 'string' ? { reason: r.reason } : {}),
    ...(typeof r.failingSince === 'string' && !Number.isNaN(Date.parse(r.failingSince))
      ? { failingSince: r.failingSince }
      : {}),
  };
}

/** Reads a stored summary back; anything unrecognisable counts as "no previous digest". */
export function parseDigestSummary(value: unknown): DigestSummary | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.at !== 'string' || Number.isNaN(Date.parse(r.at)) || !Array.isArray(r.entries))
    return undefined;
  const entries = r.entries.map(readEntry).filter((e): e is DigestEntry => e !== undefined);
  const controls = Array.isArray(r.controls)
    ? r.controls.filter((c): c is string => typeof c === 'string')
    : [];
  return {
    v: typeof r.v === 'number' ? r.v : DIGEST_SUMMARY_VERSION,
    schedule: typeof r.schedule === 'string' ? r.schedule : '',
    at: r.at,
    status: r.status === 'carried' ? 'carried' : 'ok',
    controls,
    entries,
    counts: countEntries(entries),
    ...(typeof r.baselineAt === 'string' ? { baselineAt: r.baselineAt } : {}),
  };
}

export function countEntries(entries: readonly Pick<DigestEntry, 'status'>[]): AuditSummary {
  return {
    total: entries.length,
    compliant: entries.filter((e) => e.status === 'COMPLIANT').length,
    nonCompliant: entries.filter((e) => e.status === 'NON_COMPLIANT').length,
    accepted: entries.filter((e) => e.status === 'ACCEPTED').length,
    error: entries.filter((e) => e.status === 'ERROR').length,
  };
}
