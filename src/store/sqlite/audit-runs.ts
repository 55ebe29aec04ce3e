/** The SQLite audit-run store: runs and their per-account findings (tables audit_runs and findings). */
import type { AuditLogInput, AuditRunRecord, AuditRunStore, StoredFinding } from '../../core/ports/store';
import {
  auditRunFromRows,
  auditRunValues,
  FINDING_COLUMNS,
  type FindingRow,
  findingFromRow,
  type RunRow,
} from '../row-mapping';
import { iso } from '../rows';
import { SqlParams } from '../sql-params';
import { insertAuditLog } from './audit-log';
import type { SqliteConnection } from './connection';

export class SqliteAuditRunStore implements AuditRunStore {
  constructor(private readonly c: SqliteConnection) {}

  recordAuditRun(run: AuditRunRecord, log: readonly AuditLogInput[] = []): Promise<void> {
    return this.c.attempt(`record audit run ${run.id}`, () => {
      const values = auditRunValues(run);
      const finishedAt = values.run[3];
      const insertRun = this.c.stmt(
        'INSERT INTO audit_runs (id, control, started_at, finished_at, source, actor) VALUES (?, ?, ?, ?, ?, ?)',
      );
      const insertFinding = this.c.stmt(
        `INSERT INTO findings (run_id, control, account_id, status, reason, finding, at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      this.c.immediate(() => {
        insertRun.run(...values.run);
        for (const f of values.findings) insertFinding.run(run.id, run.control, ...f, finishedAt);
        // In the run's transaction: one commit (one fsync, on the event loop) instead of one per line.
        for (const entry of log) insertAuditLog(this.c, entry);
      });
    });
  }

  getAuditRun(id: string): Promise<AuditRunRecord | undefined> {
    return this.c.attempt(`read audit run ${id}`, () => {
      const run = this.c.stmt('SELECT * FROM audit_runs WHERE id = ?').get(id) as RunRow | undefined;
      if (!run) return undefined;
      const findings = this.c
        .stmt(
          `SELECT ${FINDING_COLUMNS} FROM findings f JOIN audit_runs r ON r.id = f.run_id WHERE f.run_id = ? ORDER BY f.seq`,
        )
        .all(id) as FindingRow[];
      return auditRunFromRows(run, findings);
    });
  }

  latestFindings(control: string, accountIds?: readonly string[]): Promise<StoredFinding[]> {
    return this.c.attempt(`read the latest findings of ${control}`, () => {
      const params = new SqlParams('sqlite');
      const controlParam = params.add(control);
      const accountFilter = accountIds ? `AND ${params.in('f.account_id', accountIds)}` : '';
      const rows = this.c.db
        .prepare(
          `SELECT * FROM (
             SELECT ${FINDING_COLUMNS},
                    ROW_NUMBER() OVER (PARTITION BY f.account_id ORDER BY f.at DESC, f.seq DESC) AS rank
             FROM findings f JOIN audit_runs r ON r.id = f.run_id
             WHERE f.control = ${controlParam} ${accountFilter}
           ) WHERE rank = 1 ORDER BY account_id`,
        )
        .all(...params.values) as FindingRow[];
      return rows.map(findingFromRow);
    });
  }

  findingsSince(control: string, since: string, accountIds?: readonly string[]): Promise<StoredFinding[]> {
    return this.c.attempt(`read the findings of ${control} since ${since}`, () => {
      const params = new SqlParams('sqlite');
      const where = `f.control = ${params.add(control)} AND f.at >= ${params.add(iso(since, 'since'))}`;
      const accountFilter = accountIds ? `AND ${params.in('f.account_id', accountIds)}` : '';
      const rows = this.c.db
        .prepare(
          `SELECT ${FINDING_COLUMNS} FROM findings f JOIN audit_runs r ON r.id = f.run_id
           WHERE ${where} ${accountFilter} ORDER BY f.at, f.seq`,
        )
        .all(...params.values) as FindingRow[];
      return rows.map(findingFromRow);
    });
  }
}
