/**
 * The audit-run store port: every audit's per-account verdicts, for `status`, `history`, digests ("what
 * changed since the last run", "failing for N days") and the audit trail.
 */
import type { AuditLogInput } from './audit-log';
import type { ActorRef } from './common';

/** What asked for an audit: the platform id of the person who did, or `schedule`. */
export type AuditTrigger = string;

export interface AccountResult {
  accountId: string;
  /** The verdict, e.g. COMPLIANT / NON_COMPLIANT / ERROR (the audit core's vocabulary). */
  status: string;
  /** One line explaining the verdict (which link is broken, which IAM action was denied). */
  reason?: string;
  /** The full finding as JSON. */
  finding: unknown;
}

export interface AuditRunRecord {
  id: string;
  control: string;
  startedAt: string;
  finishedAt: string;
  trigger: AuditTrigger;
  actor?: ActorRef;
  accounts: AccountResult[];
}

/** One account's result within a run, with the run's finish time as `at`. */
export interface StoredFinding extends AccountResult {
  runId: string;
  control: string;
  trigger: AuditTrigger;
  /** The run's finishedAt. */
  at: string;
}

export interface AuditRunStore {
  /**
   * Records a run and its findings atomically; a run id recorded before rejects (StoreError). `log`: the
   * run's audit-log entries, appended in order in the same transaction (one commit, one disk flush, for
   * the run and its lines: on SQLite each commit's flush blocks the event loop), or none of them.
   */
  recordAuditRun(run: AuditRunRecord, log?: readonly AuditLogInput[]): Promise<void>;
  getAuditRun(id: string): Promise<AuditRunRecord | undefined>;
  /**
   * The most recent finding per account for a control (all accounts ever audited when omitted), ordered
   * by account id. "Most recent" is the latest run finish time; among runs finishing at the same instant,
   * the one recorded last.
   */
  latestFindings(control: string, accountIds?: readonly string[]): Promise<StoredFinding[]>;
  /** Findings of runs that finished at or after `since`, oldest first (history, "failing for N days"). */
  findingsSince(control: string, since: string, accountIds?: readonly string[]): Promise<StoredFinding[]>;
}
