/**
 * The audit-log store port: the append-only record of everything cis-bot did and everyone who decided
 * something (audits, plans, requests, decisions, refusals, executed steps, digests). A write that cannot
 * happen rejects; entries are never changed or removed.
 */
import type { Platform } from '../chat';
import type { ActorRef } from './common';

export type AuditLogKind =
  | 'audit'
  | 'plan'
  | 'approval-requested'
  | 'approved'
  | 'rejected'
  | 'refused'
  | 'expired'
  | 'stale'
  | 'execution-started'
  | 'execution-resumed'
  | 'step'
  | 'execution-finished'
  | 'digest'
  | 'schedule-skipped'
  /** A drift alert: a control's status changed after a CloudTrail event, and where it was posted. */
  | 'drift-alert'
  | 'notice'
  /** An accepted exception revoked (the Revoke button, `cis-bot exceptions revoke`). */
  | 'exception-revoked'
  /** The chat app installed in a workspace (Slack OAuth): who, which workspace or organisation; never a token. */
  | 'app-installed'
  /** The chat app uninstalled from a workspace, or its token revoked (its installation removed). */
  | 'app-uninstalled';

export interface AuditLogInput {
  at: string;
  kind: AuditLogKind;
  actor?: ActorRef;
  /** Defaults to the actor's platform when omitted. */
  platform?: Platform | 'system';
  control?: string;
  accountId?: string;
  planHash?: string;
  approvalId?: string;
  detail: unknown;
}

export interface AuditLogEntry extends AuditLogInput {
  /** Monotonic sequence number (insertion order); use as the `before` cursor. */
  seq: number;
}

export interface AuditLogQuery {
  /** Newest first; default 50. */
  limit?: number;
  /** Only entries with seq < before (paging backwards). */
  before?: number;
  approvalId?: string;
  kinds?: readonly AuditLogKind[];
}

export interface AuditLogStore {
  /** Appends one entry; rejects (StoreError) when the write fails. Returns the entry's seq. */
  appendAuditLog(entry: AuditLogInput): Promise<number>;
  /** Newest first (highest seq first). */
  listAuditLog(query?: AuditLogQuery): Promise<AuditLogEntry[]>;
}
