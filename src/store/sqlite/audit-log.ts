/**
 * The SQLite audit log (table audit_log, append-only: triggers refuse UPDATE and DELETE). `insertAuditLog`
 * is shared with the approval store, which writes a transition's log line in the transition's transaction.
 */
import type {
  ActorRef,
  AuditLogEntry,
  AuditLogInput,
  AuditLogKind,
  AuditLogQuery,
  AuditLogStore,
} from '../../core/ports/store';
import { StoreError } from '../../core/ports/store';
import { placeholders, type SqliteConnection } from './connection';
import { fromJson, iso, toJson } from './rows';

interface AuditLogRow {
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

function auditLogFromRow(row: AuditLogRow): AuditLogEntry {
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

/** Appends one entry (inside the caller's transaction, if any); returns its seq. */
export function insertAuditLog(c: SqliteConnection, entry: AuditLogInput): number {
  const result = c
    .stmt(
      `INSERT INTO audit_log (at, kind, actor, platform, control, account_id, plan_hash, approval_id, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      iso(entry.at, 'at'),
      entry.kind,
      entry.actor ? toJson(entry.actor, 'actor') : null,
      entry.platform ?? entry.actor?.platform ?? null,
      entry.control ?? null,
      entry.accountId ?? null,
      entry.planHash ?? null,
      entry.approvalId ?? null,
      toJson(entry.detail, 'the audit-log detail'),
    );
  if (result.changes !== 1) throw new StoreError('the audit-log entry was not written');
  return Number(result.lastInsertRowid);
}

export class SqliteAuditLogStore implements AuditLogStore {
  constructor(private readonly c: SqliteConnection) {}

  appendAuditLog(entry: AuditLogInput): Promise<number> {
    return this.c.attempt(`append "${entry.kind}" to the audit log`, () => insertAuditLog(this.c, entry));
  }

  listAuditLog(query: AuditLogQuery = {}): Promise<AuditLogEntry[]> {
    return this.c.attempt('read the audit log', () => {
      const where: string[] = [];
      const values: unknown[] = [];
      if (query.before !== undefined) {
        where.push('seq < ?');
        values.push(query.before);
      }
      if (query.approvalId !== undefined) {
        where.push('approval_id = ?');
        values.push(query.approvalId);
      }
      if (query.kinds !== undefined) {
        where.push(`kind IN (${placeholders(query.kinds.length)})`);
        values.push(...query.kinds);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const rows = this.c.db
        .prepare(`SELECT * FROM audit_log ${clause} ORDER BY seq DESC LIMIT ?`)
        .all(...values, query.limit ?? 50) as AuditLogRow[];
      return rows.map(auditLogFromRow);
    });
  }
}
