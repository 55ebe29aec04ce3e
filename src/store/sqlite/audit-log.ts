/**
 * The SQLite audit log (table audit_log, append-only: triggers refuse UPDATE and DELETE). `insertAuditLog`
 * is shared with the approval store, which writes a transition's log line in the transition's transaction.
 */
import type { AuditLogEntry, AuditLogInput, AuditLogQuery, AuditLogStore } from '../../core/ports/store';
import { StoreError } from '../../core/ports/store';
import {
  AUDIT_LOG_COLUMNS,
  type AuditLogRow,
  auditLogFromRow,
  auditLogValues,
  auditLogWhere,
} from '../row-mapping';
import { SqlParams } from '../sql-params';
import type { SqliteConnection } from './connection';

/** Appends one entry (inside the caller's transaction, if any); returns its seq. */
export function insertAuditLog(c: SqliteConnection, entry: AuditLogInput): number {
  const result = c
    .stmt(`INSERT INTO audit_log (${AUDIT_LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(...auditLogValues(entry));
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
      const params = new SqlParams('sqlite');
      const where = auditLogWhere(query, params);
      const limit = params.add(query.limit ?? 50);
      const rows = this.c.db
        .prepare(`SELECT * FROM audit_log ${where} ORDER BY seq DESC LIMIT ${limit}`)
        .all(...params.values) as AuditLogRow[];
      return rows.map(auditLogFromRow);
    });
  }
}
