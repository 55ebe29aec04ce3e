/**
 * The PostgreSQL audit-run store (tables audit_runs and findings): a run and all its findings are written
 * by one statement (the findings unnested from arrays, in the order given), so a run is recorded whole or
 * not at all in one round trip, however many accounts it audited.
 */
import type { AuditLogInput, AuditRunRecord, AuditRunStore, StoredFinding } from '../../core/ports/store';
import {
  AUDIT_LOG_COLUMNS,
  auditLogValues,
  auditRunFromRows,
  auditRunValues,
  FINDING_COLUMNS,
  type FindingRow,
  findingFromRow,
  type RunRow,
} from '../row-mapping';
import { iso } from '../rows';
import { SqlParams } from '../sql-params';
import type { PgConnection } from './connection';

export class PostgresAuditRunStore implements AuditRunStore {
  constructor(private readonly c: PgConnection) {}

  async recordAuditRun(run: AuditRunRecord, log: readonly AuditLogInput[] = []): Promise<void> {
    const values = auditRunValues(run);
    const column = (i: number) => values.findings.map((f) => f[i]);
    const what = `record audit run ${run.id}`;
    const entries = log.map(auditLogValues);
    const sql = `WITH run AS (
         INSERT INTO audit_runs (id, control, started_at, finished_at, source, actor)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, control, finished_at
       )
       INSERT INTO findings (run_id, control, account_id, status, reason, finding, at)
       SELECT run.id, run.control, f.account_id, f.status, f.reason, f.finding::json, run.finished_at
       FROM run, unnest($7::text[], $8::text[], $9::text[], $10::text[])
                 WITH ORDINALITY AS f(account_id, status, reason, finding, n)
       ORDER BY f.n`;
    const params = [...values.run, column(0), column(1), column(2), column(3)];
    if (entries.length === 0) {
      await this.c.count(what, sql, params);
      return;
    }
    // The run's audit-log lines in its transaction, in order: one commit for all of them.
    await this.c.transaction(what, async (tx) => {
      await tx.query(sql, params);
      for (const entry of entries) {
        await tx.query(
          `INSERT INTO audit_log (${AUDIT_LOG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          entry,
        );
      }
    });
  }

  async getAuditRun(id: string): Promise<AuditRunRecord | undefined> {
    const what = `read audit run ${id}`;
    const [run] = await this.c.rows<RunRow>(what, 'SELECT * FROM audit_runs WHERE id = $1', [id]);
    if (!run) return undefined;
    // A run and its findings are written by one statement, so once the run is visible all of them are.
    const findings = await this.c.rows<FindingRow>(
      what,
      `SELECT ${FINDING_COLUMNS} FROM findings f JOIN audit_runs r ON r.id = f.run_id WHERE f.run_id = $1 ORDER BY f.seq`,
      [id],
    );
    return auditRunFromRows(run, findings);
  }

  async latestFindings(control: string, accountIds?: readonly string[]): Promise<StoredFinding[]> {
    const params = new SqlParams('postgres');
    const controlParam = params.add(control);
    const accountFilter = accountIds ? `AND ${params.in('f.account_id', accountIds)}` : '';
    const rows = await this.c.rows<FindingRow>(
      `read the latest findings of ${control}`,
      `SELECT DISTINCT ON (f.account_id) ${FINDING_COLUMNS}
       FROM findings f JOIN audit_runs r ON r.id = f.run_id
       WHERE f.control = ${controlParam} ${accountFilter}
       ORDER BY f.account_id, f.at DESC, f.seq DESC`,
      params.values,
    );
    return rows.map(findingFromRow);
  }

  async findingsSince(
    control: string,
    since: string,
    accountIds?: readonly string[],
  ): Promise<StoredFinding[]> {
    const params = new SqlParams('postgres');
    const where = `f.control = ${params.add(control)} AND f.at >= ${params.add(iso(since, 'since'))}`;
    const accountFilter = accountIds ? `AND ${params.in('f.account_id', accountIds)}` : '';
    const rows = await this.c.rows<FindingRow>(
      `read the findings of ${control} since ${since}`,
      `SELECT ${FINDING_COLUMNS} FROM findings f JOIN audit_runs r ON r.id = f.run_id
       WHERE ${where} ${accountFilter} ORDER BY f.at, f.seq`,
      params.values,
    );
    return rows.map(findingFromRow);
  }
}
