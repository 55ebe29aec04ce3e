/**
 * Rows to port records and back, shared by both stores: the tables have the same columns in SQLite and
 * PostgreSQL (src/store/migrations), JSON is text in both, and time columns come back as text or a Date
 * (rows.ts), so only the SQL differs between the stores. Optional fields come back absent, never null.
 */
import type { Platform } from '../core/ports/chat';
import type {
  ActorRef,
  AlertStateRecord,
  Approval,
  ApprovalState,
  AuditLogEntry,
  AuditLogInput,
  AuditLogKind,
  AuditLogQuery,
  AuditRunRecord,
  AuditTrigger,
  ConversationPointer,
  ExceptionDeviation,
  ExceptionQuery,
  ExceptionRecord,
  LeaseRecord,
  NewException,
  PlanRecord,
  ScheduleRunRecord,
  SlackInstallationRecord,
  StoredConversationRef,
  StoredFinding,
} from '../core/ports/store';
import { StoreError } from '../core/ports/store';
import { fromJson, iso, ms, msOut, type TimeColumn, timeOut, toJson } from './rows';
import type { SqlParams } from './sql-params';

// ---- approvals ------------------------------------------------------------------------------------

export interface ApprovalRow {
  id: string;
  kind: string;
  plan_hash: string;
  control: string;
  account_id: string;
  state: string;
  requested_by: string;
  conversation: string | null;
  created_at: TimeColumn;
  expires_at: TimeColumn;
  updated_at: TimeColumn;
  version: number;
  decided_by: string | null;
  decided_at: TimeColumn | null;
  execution_owner: string | null;
  lease_until_ms: number | null;
  execution_started_at: TimeColumn | null;
  finished_at: TimeColumn | null;
  result: string | null;
  error: string | null;
}

export function approvalFromRow(row: ApprovalRow): Approval {
  const approval: Approval = {
    id: row.id,
    kind: row.kind,
    planHash: row.plan_hash,
    control: row.control,
    accountId: row.account_id,
    state: row.state as ApprovalState,
    requestedBy: fromJson(row.requested_by) as ActorRef,
    createdAt: timeOut(row.created_at),
    expiresAt: timeOut(row.expires_at),
    updatedAt: timeOut(row.updated_at),
    version: row.version,
  };
  if (row.conversation !== null) approval.conversation = fromJson(row.conversation) as ConversationPointer;
  if (row.decided_by !== null) approval.decidedBy = fromJson(row.decided_by) as ActorRef;
  if (row.decided_at !== null) approval.decidedAt = timeOut(row.decided_at);
  if (row.execution_owner !== null) approval.executionOwner = row.execution_owner;
  if (row.lease_until_ms !== null) approval.executionLeaseUntil = msOut(row.lease_until_ms);
  if (row.execution_started_at !== null) approval.executionStartedAt = timeOut(row.execution_started_at);
  if (row.finished_at !== null) approval.finishedAt = timeOut(row.finished_at);
  if (row.result !== null) approval.result = fromJson(row.result);
  if (row.error !== null) approval.error = row.error;
  return approval;
}

// ---- audit log ------------------------------------------------------------------------------------

export interface AuditLogRow {
  seq: number;
  at: TimeColumn;
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
    at: timeOut(row.at),
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

/** The audit_log columns in insertion order, and their values for `entry` (validated and encoded). */
export const AUDIT_LOG_COLUMNS =
  'at, kind, actor, platform, control, account_id, plan_hash, approval_id, detail' as const;

export function auditLogValues(entry: AuditLogInput): unknown[] {
  return [
    iso(entry.at, 'at'),
    entry.kind,
    entry.actor ? toJson(entry.actor, 'actor') : null,
    entry.platform ?? entry.actor?.platform ?? null,
    entry.control ?? null,
    entry.accountId ?? null,
    entry.planHash ?? null,
    entry.approvalId ?? null,
    toJson(entry.detail, 'the audit-log detail'),
  ];
}

/** The WHERE clause (possibly empty) of an audit-log query. */
export function auditLogWhere(query: AuditLogQuery, params: SqlParams): string {
  const where: string[] = [];
  if (query.before !== undefined) where.push(`seq < ${params.add(query.before)}`);
  if (query.approvalId !== undefined) where.push(`approval_id = ${params.add(query.approvalId)}`);
  if (query.kinds !== undefined) where.push(params.in('kind', query.kinds));
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

// ---- audit runs and findings ----------------------------------------------------------------------

/** The columns a finding query selects (findings f joined with their run r). */
export const FINDING_COLUMNS =
  'f.run_id, f.control, f.account_id, f.status, f.reason, f.finding, f.at, r.source' as const;

export interface FindingRow {
  run_id: string;
  control: string;
  account_id: string;
  status: string;
  reason: string | null;
  finding: string;
  at: TimeColumn;
  source: string;
}

export function findingFromRow(row: FindingRow): StoredFinding {
  const finding: StoredFinding = {
    runId: row.run_id,
    control: row.control,
    accountId: row.account_id,
    status: row.status,
    finding: fromJson(row.finding),
    at: timeOut(row.at),
    trigger: row.source as AuditTrigger,
  };
  if (row.reason !== null) finding.reason = row.reason;
  return finding;
}

export interface RunRow {
  id: string;
  control: string;
  started_at: TimeColumn;
  finished_at: TimeColumn;
  source: string;
  actor: string | null;
}

/** A run and its findings (in recorded order) as the port's record. */
export function auditRunFromRows(run: RunRow, findings: readonly FindingRow[]): AuditRunRecord {
  const record: AuditRunRecord = {
    id: run.id,
    control: run.control,
    startedAt: timeOut(run.started_at),
    finishedAt: timeOut(run.finished_at),
    trigger: run.source as AuditTrigger,
    accounts: findings.map(findingFromRow).map((f) => ({
      accountId: f.accountId,
      status: f.status,
      finding: f.finding,
      ...(f.reason !== undefined ? { reason: f.reason } : {}),
    })),
  };
  if (run.actor !== null) record.actor = fromJson(run.actor) as NonNullable<AuditRunRecord['actor']>;
  return record;
}

/** One finding's own columns: account_id, status, reason, finding (JSON text). */
export type FindingValues = [accountId: string, status: string, reason: string | null, finding: string];

/**
 * The values of a run to record (validated and encoded before anything is written): the audit_runs row
 * (id, control, started_at, finished_at, source, actor) and each finding's own columns, in order; every
 * finding is stamped with the run's control and finish time.
 */
export function auditRunValues(run: AuditRunRecord): { run: unknown[]; findings: FindingValues[] } {
  return {
    run: [
      run.id,
      run.control,
      iso(run.startedAt, 'startedAt'),
      iso(run.finishedAt, 'finishedAt'),
      run.trigger,
      run.actor ? toJson(run.actor, 'actor') : null,
    ],
    findings: run.accounts.map((a) => [
      a.accountId,
      a.status,
      a.reason ?? null,
      toJson(a.finding, `the finding for ${a.accountId}`),
    ]),
  };
}

// ---- plans ----------------------------------------------------------------------------------------

export interface PlanRow {
  hash: string;
  control: string;
  account_id: string;
  region: string | null;
  created_at: TimeColumn;
  plan: string;
}

export function planFromRow(row: PlanRow): PlanRecord {
  const plan: PlanRecord = {
    hash: row.hash,
    control: row.control,
    accountId: row.account_id,
    createdAt: timeOut(row.created_at),
    plan: fromJson(row.plan),
  };
  if (row.region !== null) plan.region = row.region;
  return plan;
}

/** The plans columns' values for `plan`: hash, control, account_id, region, created_at, plan. */
export function planValues(plan: PlanRecord): unknown[] {
  return [
    plan.hash,
    plan.control,
    plan.accountId,
    plan.region ?? null,
    iso(plan.createdAt, 'createdAt'),
    toJson(plan.plan, `plan ${plan.hash}`),
  ];
}

// ---- scheduled runs -------------------------------------------------------------------------------

export interface ScheduleRunRow {
  schedule_name: string;
  fire_time: string;
  owner: string;
  lease_until_ms: number;
  claimed_at: TimeColumn;
  attempts: number;
  completed_at: TimeColumn | null;
  summary: string | null;
}

export function scheduleRunFromRow(row: ScheduleRunRow): ScheduleRunRecord {
  const run: ScheduleRunRecord = {
    scheduleName: row.schedule_name,
    fireTime: row.fire_time,
    owner: row.owner,
    leaseUntil: msOut(row.lease_until_ms),
    claimedAt: timeOut(row.claimed_at),
    attempts: row.attempts,
  };
  if (row.completed_at !== null) run.completedAt = timeOut(row.completed_at);
  if (row.summary !== null) run.summary = fromJson(row.summary);
  return run;
}

/** The last completed run as `lastCompletedScheduleRun` returns it (undefined for an uncompleted row). */
export function completedRunFromRow(
  row: ScheduleRunRow | undefined,
): { fireTime: string; completedAt: string; summary: unknown } | undefined {
  if (!row || row.completed_at === null) return undefined;
  return { fireTime: row.fire_time, completedAt: timeOut(row.completed_at), summary: fromJson(row.summary) };
}

// ---- conversation references ----------------------------------------------------------------------

export interface ConversationRefRow {
  platform: string;
  conversation_id: string;
  ref: string;
  updated_at: TimeColumn;
}

export function conversationRefFromRow(row: ConversationRefRow): StoredConversationRef {
  return {
    platform: row.platform as Platform,
    conversationId: row.conversation_id,
    ref: fromJson(row.ref),
    updatedAt: timeOut(row.updated_at),
  };
}

// ---- leases ---------------------------------------------------------------------------------------

export interface LeaseRow {
  key: string;
  owner: string;
  acquired_at: TimeColumn;
  expires_at_ms: number;
}

export function leaseFromRow(row: LeaseRow): LeaseRecord {
  return {
    key: row.key,
    owner: row.owner,
    acquiredAt: timeOut(row.acquired_at),
    expiresAt: msOut(row.expires_at_ms),
  };
}

/**
 * The values of a lease `owner` takes on `key` for `ttlMs` from `now`: key, owner, acquired_at and
 * expires_at_ms (as the INSERT lists them), and `now` in epoch milliseconds (the lapse check).
 */
export function leaseValues(
  key: string,
  owner: string,
  ttlMs: number,
  now: Date,
): { values: [string, string, string, number]; nowMs: number } {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new StoreError(`a lease needs a positive length in milliseconds, not ${ttlMs}`);
  }
  const nowMs = ms(now, 'now');
  return { values: [key, owner, iso(now, 'now'), nowMs + Math.ceil(ttlMs)], nowMs };
}

// ---- exceptions -----------------------------------------------------------------------------------

/** The columns an exception is inserted with, in this order (`exceptionValues`). */
export const EXCEPTION_COLUMNS =
  'id, control, account_id, reason, until_date, expires_at, requested_by, approved_by, granted_at, deviation' as const;

export interface ExceptionRow {
  id: string;
  control: string;
  account_id: string;
  reason: string;
  until_date: string;
  expires_at: TimeColumn;
  requested_by: string;
  approved_by: string;
  granted_at: TimeColumn;
  deviation: string | null;
  revoked_at: TimeColumn | null;
  revoked_by: string | null;
}

export function exceptionFromRow(row: ExceptionRow): ExceptionRecord {
  const record: ExceptionRecord = {
    id: row.id,
    control: row.control,
    accountId: row.account_id,
    reason: row.reason,
    until: row.until_date,
    expiresAt: timeOut(row.expires_at),
    requestedBy: fromJson(row.requested_by) as ActorRef,
    approvedBy: fromJson(row.approved_by) as ActorRef,
    grantedAt: timeOut(row.granted_at),
  };
  if (row.deviation !== null) record.deviation = fromJson(row.deviation) as ExceptionDeviation;
  if (row.revoked_at !== null) record.revokedAt = timeOut(row.revoked_at);
  if (row.revoked_by !== null) record.revokedBy = fromJson(row.revoked_by) as ActorRef;
  return record;
}

export function exceptionValues(e: NewException): unknown[] {
  if (!/^\d{4}-\d\d-\d\d$/.test(e.until)) {
    throw new StoreError(`an exception's until must be a date (YYYY-MM-DD), not ${e.until}`);
  }
  return [
    e.id,
    e.control,
    e.accountId,
    e.reason,
    e.until,
    iso(e.expiresAt, 'expiresAt'),
    toJson(e.requestedBy, 'requestedBy'),
    toJson(e.approvedBy, 'approvedBy'),
    iso(e.grantedAt, 'grantedAt'),
    e.deviation === undefined ? null : toJson(e.deviation, 'deviation'),
  ];
}

/** The WHERE clause (possibly empty) of an exception query. */
export function exceptionWhere(query: ExceptionQuery, params: SqlParams): string {
  const where: string[] = [];
  if (query.control !== undefined) where.push(`control = ${params.add(query.control)}`);
  if (query.accountIds !== undefined) where.push(params.in('account_id', query.accountIds));
  if (query.expiresAfter !== undefined) {
    where.push(`expires_at > ${params.add(iso(query.expiresAfter, 'expiresAfter'))}`);
  }
  if (!query.includeRevoked) where.push('revoked_at IS NULL');
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

// ---- alert states ---------------------------------------------------------------------------------

export interface AlertStateRow {
  account_id: string;
  control: string;
  status: string;
  changed_at: TimeColumn;
  pending_alert: string | null;
}

export function alertStateFromRow(row: AlertStateRow): AlertStateRecord {
  return {
    accountId: row.account_id,
    control: row.control,
    status: row.status,
    changedAt: timeOut(row.changed_at),
    ...(row.pending_alert !== null ? { pendingAlert: fromJson(row.pending_alert) } : {}),
  };
}

/** The pending alert column's value: JSON text, or null for none. */
export function pendingAlertValue(pending: unknown): string | null {
  return pending === undefined ? null : toJson(pending, 'the pending alert');
}

// ---- Slack installations --------------------------------------------------------------------------

export interface SlackInstallationRow {
  installation_key: string;
  enterprise_id: string | null;
  team_id: string | null;
  /** SQLite: 0/1; PostgreSQL: boolean. */
  enterprise_install: number | boolean;
  sealed: string;
  installed_at: TimeColumn;
}

export function slackInstallationFromRow(row: SlackInstallationRow): SlackInstallationRecord {
  return {
    key: row.installation_key,
    ...(row.enterprise_id !== null ? { enterpriseId: row.enterprise_id } : {}),
    ...(row.team_id !== null ? { teamId: row.team_id } : {}),
    enterpriseInstall: row.enterprise_install === true || row.enterprise_install === 1,
    sealed: row.sealed,
    installedAt: timeOut(row.installed_at),
  };
}

/** key, enterprise id, team id, org-wide, sealed, installed at (canonical time; refuses a non-time). */
export function slackInstallationValues(
  record: SlackInstallationRecord,
): [string, string | null, string | null, boolean, string, string] {
  return [
    record.key,
    record.enterpriseId ?? null,
    record.teamId ?? null,
    record.enterpriseInstall,
    record.sealed,
    iso(record.installedAt, 'installedAt'),
  ];
}
