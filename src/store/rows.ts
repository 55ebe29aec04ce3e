/**
 * Conversions between SQLite rows and the store port's plain types: JSON columns as TEXT, timestamps
 * normalised to `Date#toISOString` form (so text order is time order), absent values as NULL.
 */
import type {
  ActorRef,
  Approval,
  ApprovalState,
  AuditLogEntry,
  AuditLogKind,
  AuditTrigger,
  ConversationPointer,
  ScheduleRunRecord,
  StoredFinding,
} from '../core/ports/store';
import { StoreError } from '../core/ports/store';

/** JSON text of a value; `undefined` becomes `null`. Throws StoreError for what JSON cannot hold. */
export function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value === undefined ? null : value);
  } catch (cause) {
    throw new StoreError(`cannot store ${what}: it is not serialisable as JSON (${String(cause)})`, {
      cause,
    });
  }
}

export function fromJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

/** Normalises a timestamp to the canonical ISO form, refusing what is not a time. */
export function iso(value: string | Date, what: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new StoreError(`${what} is not a valid timestamp: ${String(value)}`);
  return date.toISOString();
}

export function ms(value: string | Date, what: string): number {
  return new Date(iso(value, what)).getTime();
}

export interface ApprovalRow {
  id: string;
  plan_hash: string;
  control: string;
  account_id: string;
  state: string;
  requested_by: string;
  conversation: string | null;
  created_at: string;
  expires_at: string;
  updated_at: string;
  version: number;
  decided_by: string | null;
  decided_at: string | null;
  execution_owner: string | null;
  lease_until_ms: number | null;
  execution_started_at: string | null;
  finished_at: string | null;
  result: string | null;
  error: string | null;
}

export function approvalFromRow(row: ApprovalRow): Approval {
  const approval: Approval = {
    id: row.id,
    planHash: row.plan_hash,
    control: row.control,
    accountId: row.account_id,
    state: row.state as ApprovalState,
    requestedBy: fromJson(row.requested_by) as ActorRef,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
  if (row.conversation !== null) approval.conversation = fromJson(row.conversation) as ConversationPointer;
  if (row.decided_by !== null) approval.decidedBy = fromJson(row.decided_by) as ActorRef;
  if (row.decided_at !== null) approval.decidedAt = row.decided_at;
  if (row.execution_owner !== null) approval.executionOwner = row.execution_owner;
  if (row.lease_until_ms !== null) approval.executionLeaseUntil = new Date(row.lease_until_ms).toISOString();
  if (row.execution_started_at !== null) approval.executionStartedAt = row.execution_started_at;
  if (row.finished_at !== null) approval.finishedAt = row.finished_at;
  if (row.result !== null) approval.result = fromJson(row.result);
  if (row.error !== null) approval.error = row.error;
  return approval;
}

export interface FindingRow {
  run_id: string;
  control: string;
  account_id: string;
  status: string;
  reason: string | null;
  finding: string;
  at: string;
  source: string;
}

export function findingFromRow(row: FindingRow): StoredFinding {
  const finding: StoredFinding = {
    runId: row.run_id,
    control: row.control,
    accountId: row.account_id,
    status: row.status,
    finding: fromJson(row.finding),
    at: row.at,
    trigger: row.source as AuditTrigger,
  };
  if (row.reason !== null) finding.reason = row.reason;
  return finding;
}

export interface AuditLogRow {
  seq: number;
  at: string;
  kind: string;
  actor: string | null;
  platform: string | null;
  control: string | null;
  account_id: string | null;
  plan_hash: string | null;
  approval_id: string | null;
  detail: string;
}

export function auditLogFromRow(row: AuditLogRow): AuditLogEntry {
  const entry: AuditLogEntry = {
    seq: row.seq,
    at: row.at,
    kind: row.kind as AuditLogKind,
    detail: fromJson(row.detail),
  };
  if (row.actor !== null) entry.actor = fromJson(row.actor) as ActorRef;
  if (row.platform !== null) entry.platform = row.platform as NonNullable<AuditLogEntry['platform']>;
  if (row.control !== null) entry.control = row.control;
  if (row.account_id !== null) entry.accountId = row.account_id;
  if (row.plan_hash !== null) entry.planHash = row.plan_hash;
  if (row.approval_id !== null) entry.approvalId = row.approval_id;
  return entry;
}

export interface ScheduleRunRow {
  schedule_name: string;
  fire_time: string;
  owner: string;
  lease_until_ms: number;
  claimed_at: string;
  attempts: number;
  completed_at: string | null;
  summary: string | null;
}

export function scheduleRunFromRow(row: ScheduleRunRow): ScheduleRunRecord {
  const run: ScheduleRunRecord = {
    scheduleName: row.schedule_name,
    fireTime: row.fire_time,
    owner: row.owner,
    leaseUntil: new Date(row.lease_until_ms).toISOString(),
    claimedAt: row.claimed_at,
    attempts: row.attempts,
  };
  if (row.completed_at !== null) run.completedAt = row.completed_at;
  if (row.summary !== null) run.summary = fromJson(row.summary);
  return run;
}
