/** The SQLite audit-run store: runs and their per-account findings (tables audit_runs and findings). */
import type { AuditRunRecord, AuditRunStore, AuditTrigger, StoredFinding } from '../../core/ports/store';
import { placeholders, type SqliteConnection } from './connection';
import { fromJson, iso, toJson } from './rows';

const FINDING_COLUMNS = 'f.run_id, f.control, f.account_id, f.status, f.reason, f.finding, f.at, r.source';

interface FindingRow {
  run_id: string;
  control: string;
  account_id: string;
  status: string;
  reason: string | null;
  finding: string;
  at: string;
  source: string;
}

interface RunRow {
  id: string;
  control: string;
  started_at: string;
  finished_at: string;
  source: string;
  actor: string | null;
}

function findingFromRow(row: FindingRow): StoredFinding {
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

export class SqliteAuditRunStore implements AuditRunStore {
  constructor(private readonly c: SqliteConnection) {}

  recordAuditRun(run: AuditRunRecord): Promise<void> {
    return this.c.attempt(`record audit run ${run.id}`, () => {
      const finishedAt = iso(run.finishedAt, 'finishedAt');
      const insertRun = this.c.stmt(
        'INSERT INTO audit_runs (id, control, started_at, finished_at, source, actor) VALUES (?, ?, ?, ?, ?, ?)',
      );
      const insertFinding = this.c.stmt(
        `INSERT INTO findings (run_id, control, account_id, status, reason, finding, at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      this.c.immediate(() => {
        insertRun.run(
          run.id,
          run.control,
          iso(run.startedAt, 'startedAt'),
          finishedAt,
          run.trigger,
          run.actor ? toJson(run.actor, 'actor') : null,
        );
        for (const a of run.accounts) {
          insertFinding.run(
            run.id,
            run.control,
            a.accountId,
            a.status,
            a.reason ?? null,
            toJson(a.finding, `the finding for ${a.accountId}`),
            finishedAt,
          );
        }
      });
    });
  }

  getAuditRun(id: string): Promise<AuditRunRecord | undefined> {
    return this.c.attempt(`read audit run ${id}`, () => {
      const run = this.c.stmt('SELECT * FROM audit_runs WHERE id = ?').get(id) as RunRow | undefined;
      if (!run) return undefined;
      const findings = (
        this.c
          .stmt(
            `SELECT ${FINDING_COLUMNS} FROM findings f JOIN audit_runs r ON r.id = f.run_id WHERE f.run_id = ? ORDER BY f.seq`,
          )
          .all(id) as FindingRow[]
      ).map(findingFromRow);
      const record: AuditRunRecord = {
        id: run.id,
        control: run.control,
        startedAt: run.started_at,
        finishedAt: run.finished_at,
        trigger: run.source as AuditTrigger,
        accounts: findings.map((f) => ({
          accountId: f.accountId,
          status: f.status,
          finding: f.finding,
          ...(f.reason !== undefined ? { reason: f.reason } : {}),
        })),
      };
      if (run.actor !== null) record.actor = fromJson(run.actor) as NonNullable<AuditRunRecord['actor']>;
      return record;
    });
  }

  latestFindings(control: string, accountIds?: readonly string[]): Promise<StoredFinding[]> {
    return this.c.attempt(`read the latest findings of ${control}`, () => {
      const accountFilter = accountIds ? `AND f.account_id IN (${placeholders(accountIds.length)})` : '';
      const rows = this.c.db
        .prepare(
          `SELECT * FROM (
             SELECT ${FINDING_COLUMNS},
                    ROW_NUMBER() OVER (PARTITION BY f.account_id ORDER BY f.at DESC, f.seq DESC) AS rank
             FROM findings f JOIN audit_runs r ON r.id = f.run_id
             WHERE f.control = ? ${accountFilter}
           ) WHERE rank = 1 ORDER BY account_id`,
        )
        .all(control, ...(accountIds ?? [])) as FindingRow[];
      return rows.map(findingFromRow);
    });
  }

  findingsSince(control: string, since: string, accountIds?: readonly string[]): Promise<StoredFinding[]> {
    return this.c.attempt(`read the findings of ${control} since ${since}`, () => {
      const accountFilter = accountIds ? `AND f.account_id IN (${placeholders(accountIds.length)})` : '';
      const rows = this.c.db
        .prepare(
          `SELECT ${FINDING_COLUMNS} FROM findings f JOIN audit_runs r ON r.id = f.run_id
           WHERE f.control = ? AND f.at >= ? ${accountFilter} ORDER BY f.at, f.seq`,
        )
        .all(control, iso(since, 'since'), ...(accountIds ?? [])) as FindingRow[];
      return rows.map(findingFromRow);
    });
  }
}
