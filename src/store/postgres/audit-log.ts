/**
 * The PostgreSQL audit log (table audit_log, append-only: triggers refuse UPDATE, DELETE and TRUNCATE).
 * `auditLogCte` lets the approval store append a transition's log line in the transition's own
 * statement, so the two are written together or not at all.
 */
import type { AuditLogEntry, AuditLogInput, AuditLogQuery, AuditLogStore } from '../../core/ports/store';
import {
  AUDIT_LOG_COLUMNS,
  type AuditLogRow,
  auditLogFromRow,
  auditLogValues,
  auditLogWhere,
} from '../row-mapping';
import { SqlParams } from '../sql-params';
import type { PgConnection } from './connection';

/** Casts of the audit_log columns' placeholders where nothing else tells PostgreSQL their type. */
const CASTS = ['::timestamptz', '', '::json', '', '', '', '', '', '::json'];

/**
 * A `logged` common table expression that appends `entry` once per row of `source` (a CTE returning the
 * changed approval): no row, no log line.
 */
export function auditLogCte(entry: AuditLogInput, params: SqlParams, source: string): string {
  const values = auditLogValues(entry).map((value, i) => `${params.add(value)}${CASTS[i] ?? ''}`);
  return `logged AS (INSERT INTO audit_log (${AUDIT_LOG_COLUMNS}) SELECT ${values.join(', ')} FROM ${source})`;
}

export class PostgresAuditLogStore implements AuditLogStore {
  constructor(private readonly c: PgConnection) {}

  async appendAuditLog(entry: AuditLogInput): Promise<number> {
    const what = `append "${entry.kind}" to the audit log`;
    const [row] = await this.c.rows<{ seq: number }>(
      what,
      `INSERT INTO audit_log (${AUDIT_LOG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq`,
      auditLogValues(entry),
    );
    if (!row) throw this.c.storeError(what, new Error('the audit-log entry was not written'));
    return row.seq;
  }

  async listAuditLog(query: AuditLogQuery = {}): Promise<AuditLogEntry[]> {
    const params = new SqlParams('postgres');
    const where = auditLogWhere(query, params);
    const limit = params.add(query.limit ?? 50);
    const rows = await this.c.rows<AuditLogRow>(
      'read the audit log',
      `SELECT * FROM audit_log ${where} ORDER BY seq DESC LIMIT ${limit}`,
      params.values,
    );
    return rows.map(auditLogFromRow);
  }
}
