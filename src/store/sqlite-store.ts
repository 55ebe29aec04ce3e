/**
 * The embedded SQLite implementation of the store port (better-sqlite3). WAL journal and a busy timeout
 * so several processes (replicas, the CLI next to the bot) share one file; schema migrations applied at
 * open; every multi-statement write in an IMMEDIATE transaction; compare-and-set transitions as single
 * conditional UPDATEs. Errors are rethrown as StoreError with the driver error as cause.
 */
import Database from 'better-sqlite3';
import type { Platform } from '../core/chat-core';
import {
  type Approval,
  type ApprovalPatch,
  type ApprovalState,
  type AuditLogEntry,
  type AuditLogInput,
  type AuditLogQuery,
  type AuditRunRecord,
  type NewApproval,
  type PlanRecord,
  type ScheduleRunRecord,
  type Store,
  type StoredConversationRef,
  type StoredFinding,
  StoreError,
  type TransitionGuard,
} from '../core/ports/store';
import { MIGRATIONS, type Migration, migrate } from './migrations';
import {
  type ApprovalRow,
  type AuditLogRow,
  approvalFromRow,
  auditLogFromRow,
  type FindingRow,
  findingFromRow,
  fromJson,
  iso,
  ms,
  type ScheduleRunRow,
  scheduleRunFromRow,
  toJson,
} from './rows';

export interface OpenStoreOptions {
  /** How long a write waits for another process's lock before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
  /** The migrations to apply; tests pass a prefix to build an old-version database. */
  migrations?: readonly Migration[];
  /** The clock for timestamps the store fills in itself (updatedAt defaults, migration times). */
  now?: () => Date;
}

const FINDING_COLUMNS = 'f.run_id, f.control, f.account_id, f.status, f.reason, f.finding, f.at, r.source';

/** Runs `fn`, turning any failure into a StoreError that says what was being done. */
function attempt<T>(what: string, fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (cause) {
    if (cause instanceof StoreError) return Promise.reject(cause);
    // Duck-typed: errors from the native driver may come from another realm (e.g. under jest).
    const message = (cause as { message?: unknown } | null)?.message;
    const detail = typeof message === 'string' ? message : String(cause);
    return Promise.reject(new StoreError(`could not ${what}: ${detail}`, { cause }));
  }
}

function isLocked(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) || /database is locked/.test(String(error))
  );
}

/** Runs `work`, again after a short pause while SQLite says the file is locked, for at most `budgetMs`. */
function retryWhileLocked(budgetMs: number, work: () => void): void {
  const deadline = Date.now() + budgetMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      work();
      return;
    } catch (error) {
      if (!isLocked(error) || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 10 + Math.floor(Math.random() * 40)); // synchronous: the constructor is
    }
  }
}

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

export class SqliteStore implements Store {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(path: string, options: OpenStoreOptions = {}) {
    this.path = path;
    this.now = options.now ?? (() => new Date());
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    try {
      this.db = new Database(path, { timeout: busyTimeoutMs });
    } catch (cause) {
      throw new StoreError(`cannot open the database ${path}: ${(cause as Error).message}`, { cause });
    }
    try {
      this.db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      // FULL: a committed decision or audit-log line survives a power cut, not only a process crash.
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      retryWhileLocked(busyTimeoutMs, () => {
        // Switching a new file to WAL takes a lock that SQLite's busy handler does not wait for, so two
        // processes opening the same new file at once can see "database is locked": retry the preparation
        // (a second opener then finds WAL already on, and the migrations run in an IMMEDIATE transaction).
        if (this.db.pragma('journal_mode', { simple: true }) !== 'wal') this.db.pragma('journal_mode = WAL');
        migrate(this.db, options.migrations ?? MIGRATIONS, this.now);
      });
    } catch (cause) {
      this.db.close();
      if (cause instanceof StoreError) throw cause;
      throw new StoreError(`cannot prepare the database ${path}: ${(cause as Error).message}`, { cause });
    }
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  // ---- audit runs and findings --------------------------------------------------------------------

  recordAuditRun(run: AuditRunRecord): Promise<void> {
    return attempt(`record audit run ${run.id}`, () => {
      const finishedAt = iso(run.finishedAt, 'finishedAt');
      const insertRun = this.stmt(
        'INSERT INTO audit_runs (id, control, started_at, finished_at, source, actor) VALUES (?, ?, ?, ?, ?, ?)',
      );
      const insertFinding = this.stmt(
        `INSERT INTO findings (run_id, control, account_id, status, reason, finding, at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      this.db
        .transaction(() => {
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
        })
        .immediate();
    });
  }

  getAuditRun(id: string): Promise<AuditRunRecord | undefined> {
    return attempt(`read audit run ${id}`, () => {
      const run = this.stmt('SELECT * FROM audit_runs WHERE id = ?').get(id) as
        | {
            id: string;
            control: string;
            started_at: string;
            finished_at: string;
            source: string;
            actor: string | null;
          }
        | undefined;
      if (!run) return undefined;
      const findings = (
        this.stmt(
          `SELECT ${FINDING_COLUMNS} FROM findings f JOIN audit_runs r ON r.id = f.run_id WHERE f.run_id = ? ORDER BY f.seq`,
        ).all(id) as FindingRow[]
      ).map(findingFromRow);
      const record: AuditRunRecord = {
        id: run.id,
        control: run.control,
        startedAt: run.started_at,
        finishedAt: run.finished_at,
        trigger: run.source as AuditRunRecord['trigger'],
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
    return attempt(`read the latest findings of ${control}`, () => {
      const accountFilter = accountIds ? `AND f.account_id IN (${placeholders(accountIds.length)})` : '';
      const rows = this.db
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
    return attempt(`read the findings of ${control} since ${since}`, () => {
      const accountFilter = accountIds ? `AND f.account_id IN (${placeholders(accountIds.length)})` : '';
      const rows = this.db
        .prepare(
          `SELECT ${FINDING_COLUMNS} FROM findings f JOIN audit_runs r ON r.id = f.run_id
           WHERE f.control = ? AND f.at >= ? ${accountFilter} ORDER BY f.at, f.seq`,
        )
        .all(control, iso(since, 'since'), ...(accountIds ?? [])) as FindingRow[];
      return rows.map(findingFromRow);
    });
  }

  // ---- plans --------------------------------------------------------------------------------------

  savePlan(plan: PlanRecord): Promise<void> {
    return attempt(`save plan ${plan.hash}`, () => {
      this.stmt(
        `INSERT INTO plans (hash, control, account_id, region, created_at, plan) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (hash) DO NOTHING`,
      ).run(
        plan.hash,
        plan.control,
        plan.accountId,
        plan.region ?? null,
        iso(plan.createdAt, 'createdAt'),
        toJson(plan.plan, `plan ${plan.hash}`),
      );
    });
  }

  getPlan(hash: string): Promise<PlanRecord | undefined> {
    return attempt(`read plan ${hash}`, () => {
      const row = this.stmt('SELECT * FROM plans WHERE hash = ?').get(hash) as
        | {
            hash: string;
            control: string;
            account_id: string;
            region: string | null;
            created_at: string;
            plan: string;
          }
        | undefined;
      if (!row) return undefined;
      const plan: PlanRecord = {
        hash: row.hash,
        control: row.control,
        accountId: row.account_id,
        createdAt: row.created_at,
        plan: fromJson(row.plan),
      };
      if (row.region !== null) plan.region = row.region;
      return plan;
    });
  }

  // ---- approvals ----------------------------------------------------------------------------------

  createApproval(input: NewApproval, log?: AuditLogInput): Promise<Approval> {
    return attempt(`create approval ${input.id}`, () =>
      this.db.transaction(() => this.insertApproval(input, log)).immediate(),
    );
  }

  private insertApproval(input: NewApproval, log: AuditLogInput | undefined): Approval {
    const plan = this.stmt('SELECT 1 FROM plans WHERE hash = ?').get(input.planHash);
    if (!plan)
      throw new StoreError(`plan ${input.planHash} is not stored: save the plan before asking for approval`);
    const createdAt = iso(input.createdAt, 'createdAt');
    const row = this.stmt(
      `INSERT INTO approvals (id, plan_hash, control, account_id, state, requested_by, conversation,
                              created_at, expires_at, updated_at)
       VALUES (?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?) RETURNING *`,
    ).get(
      input.id,
      input.planHash,
      input.control,
      input.accountId,
      toJson(input.requestedBy, 'requestedBy'),
      input.conversation ? toJson(input.conversation, 'conversation') : null,
      createdAt,
      iso(input.expiresAt, 'expiresAt'),
      createdAt,
    ) as ApprovalRow;
    if (log) this.insertAuditLog({ ...log, approvalId: log.approvalId ?? input.id });
    return approvalFromRow(row);
  }

  getApproval(id: string): Promise<Approval | undefined> {
    return attempt(`read approval ${id}`, () => {
      const row = this.stmt('SELECT * FROM approvals WHERE id = ?').get(id) as ApprovalRow | undefined;
      return row ? approvalFromRow(row) : undefined;
    });
  }

  transitionApproval(
    id: string,
    from: ApprovalState | readonly ApprovalState[],
    to: ApprovalState,
    patch: ApprovalPatch = {},
    guard: TransitionGuard = {},
    log?: AuditLogInput,
  ): Promise<Approval | undefined> {
    return attempt(`move approval ${id} to ${to}`, () => {
      const fromStates: readonly ApprovalState[] = typeof from === 'string' ? [from] : from;
      if (fromStates.length === 0) return undefined;
      const sets = ['state = ?', 'version = version + 1', 'updated_at = ?'];
      const values: unknown[] = [to, iso(patch.at ?? this.now(), 'at')];
      const set = (column: string, value: unknown) => {
        sets.push(`${column} = ?`);
        values.push(value);
      };
      if (patch.decidedBy !== undefined) set('decided_by', toJson(patch.decidedBy, 'decidedBy'));
      if (patch.decidedAt !== undefined) set('decided_at', iso(patch.decidedAt, 'decidedAt'));
      if (patch.executionOwner !== undefined) set('execution_owner', patch.executionOwner);
      if (patch.executionLeaseUntil !== undefined) {
        set(
          'lease_until_ms',
          patch.executionLeaseUntil === null ? null : ms(patch.executionLeaseUntil, 'executionLeaseUntil'),
        );
      }
      if (patch.executionStartedAt !== undefined) {
        set('execution_started_at', iso(patch.executionStartedAt, 'executionStartedAt'));
      }
      if (patch.finishedAt !== undefined) set('finished_at', iso(patch.finishedAt, 'finishedAt'));
      if (patch.result !== undefined) set('result', toJson(patch.result, 'result'));
      if (patch.error !== undefined) set('error', patch.error);
      if (patch.conversation !== undefined) set('conversation', toJson(patch.conversation, 'conversation'));

      const where = ['id = ?', `state IN (${placeholders(fromStates.length)})`];
      values.push(id, ...fromStates);
      if (guard.executionOwner !== undefined) {
        where.push('execution_owner = ?');
        values.push(guard.executionOwner);
      }
      if (guard.leaseLapsedAt !== undefined) {
        where.push('(lease_until_ms IS NULL OR lease_until_ms <= ?)');
        values.push(ms(guard.leaseLapsedAt, 'leaseLapsedAt'));
      }
      if (guard.version !== undefined) {
        where.push('version = ?');
        values.push(guard.version);
      }
      // One statement: the state check and the write are atomic, across connections and processes.
      const update = this.stmt(
        `UPDATE approvals SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING *`,
      );
      return this.db
        .transaction(() => {
          const row = update.get(...values) as ApprovalRow | undefined;
          if (!row) return undefined;
          if (log) this.insertAuditLog({ ...log, approvalId: log.approvalId ?? id });
          return approvalFromRow(row);
        })
        .immediate();
    });
  }

  listApprovals(query: { states?: readonly ApprovalState[]; limit?: number } = {}): Promise<Approval[]> {
    return attempt('list approvals', () => {
      const states = query.states;
      const where = states ? `WHERE state IN (${placeholders(states.length)})` : '';
      const rows = this.db
        .prepare(`SELECT * FROM approvals ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`)
        .all(...(states ?? []), query.limit ?? 100) as ApprovalRow[];
      return rows.map(approvalFromRow);
    });
  }

  // ---- audit log ----------------------------------------------------------------------------------

  appendAuditLog(entry: AuditLogInput): Promise<number> {
    return attempt(`append "${entry.kind}" to the audit log`, () => this.insertAuditLog(entry));
  }

  private insertAuditLog(entry: AuditLogInput): number {
    const result = this.stmt(
      `INSERT INTO audit_log (at, kind, actor, platform, control, account_id, plan_hash, approval_id, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
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

  listAuditLog(query: AuditLogQuery = {}): Promise<AuditLogEntry[]> {
    return attempt('read the audit log', () => {
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
      const rows = this.db
        .prepare(`SELECT * FROM audit_log ${clause} ORDER BY seq DESC LIMIT ?`)
        .all(...values, query.limit ?? 50) as AuditLogRow[];
      return rows.map(auditLogFromRow);
    });
  }

  // ---- conversation references --------------------------------------------------------------------

  saveConversationRef(platform: Platform, conversationId: string, ref: unknown): Promise<void> {
    return attempt(`save the ${platform} conversation reference ${conversationId}`, () => {
      this.stmt(
        `INSERT INTO conversation_refs (platform, conversation_id, ref, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (platform, conversation_id) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at`,
      ).run(platform, conversationId, toJson(ref, 'the conversation reference'), this.now().toISOString());
    });
  }

  getConversationRef(platform: Platform, conversationId: string): Promise<unknown | undefined> {
    return attempt(`read the ${platform} conversation reference ${conversationId}`, () => {
      const row = this.stmt(
        'SELECT ref FROM conversation_refs WHERE platform = ? AND conversation_id = ?',
      ).get(platform, conversationId) as { ref: string } | undefined;
      return row ? fromJson(row.ref) : undefined;
    });
  }

  listConversationRefs(platform: Platform): Promise<StoredConversationRef[]> {
    return attempt(`list the ${platform} conversation references`, () => {
      const rows = this.stmt(
        'SELECT * FROM conversation_refs WHERE platform = ? ORDER BY conversation_id',
      ).all(platform) as Array<{
        platform: string;
        conversation_id: string;
        ref: string;
        updated_at: string;
      }>;
      return rows.map((r) => ({
        platform: r.platform as Platform,
        conversationId: r.conversation_id,
        ref: fromJson(r.ref),
        updatedAt: r.updated_at,
      }));
    });
  }

  // ---- scheduled runs -----------------------------------------------------------------------------

  claimScheduleRun(
    scheduleName: string,
    fireTime: string,
    owner: string,
    leaseMs: number,
    now: Date,
  ): Promise<boolean> {
    return attempt(`claim the run of schedule ${scheduleName} at ${fireTime}`, () => {
      const nowMs = ms(now, 'now');
      const leaseUntil = nowMs + leaseMs;
      return this.db
        .transaction((): boolean => {
          const inserted = this.stmt(
            `INSERT INTO schedule_runs (schedule_name, fire_time, owner, lease_until_ms, claimed_at)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (schedule_name, fire_time) DO NOTHING`,
          ).run(scheduleName, fireTime, owner, leaseUntil, iso(now, 'now'));
          if (inserted.changes === 1) return true;
          // Take over only a run whose owner let its lease lapse without completing (it crashed).
          const taken = this.stmt(
            `UPDATE schedule_runs SET owner = ?, lease_until_ms = ?, claimed_at = ?, attempts = attempts + 1
             WHERE schedule_name = ? AND fire_time = ? AND completed_at IS NULL AND lease_until_ms <= ?`,
          ).run(owner, leaseUntil, iso(now, 'now'), scheduleName, fireTime, nowMs);
          return taken.changes === 1;
        })
        .immediate();
    });
  }

  completeScheduleRun(scheduleName: string, fireTime: string, summary: unknown, now?: Date): Promise<void> {
    return attempt(`complete the run of schedule ${scheduleName} at ${fireTime}`, () => {
      const result = this.stmt(
        `UPDATE schedule_runs SET completed_at = ?, summary = ?
         WHERE schedule_name = ? AND fire_time = ? AND completed_at IS NULL`,
      ).run(iso(now ?? this.now(), 'now'), toJson(summary, 'the run summary'), scheduleName, fireTime);
      if (result.changes !== 1) {
        throw new StoreError(
          `the run of schedule ${scheduleName} at ${fireTime} was never claimed or is already completed`,
        );
      }
    });
  }

  getScheduleRun(scheduleName: string, fireTime: string): Promise<ScheduleRunRecord | undefined> {
    return attempt(`read the run of schedule ${scheduleName} at ${fireTime}`, () => {
      const row = this.stmt('SELECT * FROM schedule_runs WHERE schedule_name = ? AND fire_time = ?').get(
        scheduleName,
        fireTime,
      ) as ScheduleRunRow | undefined;
      return row ? scheduleRunFromRow(row) : undefined;
    });
  }

  lastCompletedScheduleRun(
    scheduleName: string,
  ): Promise<{ fireTime: string; completedAt: string; summary: unknown } | undefined> {
    return attempt(`read the last completed run of schedule ${scheduleName}`, () => {
      const row = this.stmt(
        `SELECT * FROM schedule_runs WHERE schedule_name = ? AND completed_at IS NOT NULL
         ORDER BY fire_time DESC LIMIT 1`,
      ).get(scheduleName) as ScheduleRunRow | undefined;
      if (!row || row.completed_at === null) return undefined;
      return { fireTime: row.fire_time, completedAt: row.completed_at, summary: fromJson(row.summary) };
    });
  }

  // ---- once-only keys -----------------------------------------------------------------------------

  rememberOnce(key: string, expiresAt: string, now: Date): Promise<boolean> {
    // The key may be a request signature: it stays out of error messages.
    return attempt('remember a once-only key', () => {
      const nowMs = ms(now, 'now');
      const expiresMs = ms(expiresAt, 'expiresAt');
      return this.db
        .transaction((): boolean => {
          // Expired keys go first, so a key seen again after its expiry counts as new (as documented).
          this.stmt('DELETE FROM once_keys WHERE expires_at_ms <= ?').run(nowMs);
          // The primary key decides: exactly one INSERT of a key succeeds, whichever process runs it.
          const inserted = this.stmt(
            'INSERT OR IGNORE INTO once_keys (key, expires_at_ms, seen_at) VALUES (?, ?, ?)',
          ).run(key, expiresMs, iso(now, 'now'));
          return inserted.changes === 1;
        })
        .immediate();
    });
  }

  close(): Promise<void> {
    return attempt('close the database', () => {
      if (this.db.open) this.db.close();
    });
  }
}

/** Opens (creating and migrating as needed) the SQLite store at `path`; ':memory:' for a private one. */
export function openStore(path: string, options: OpenStoreOptions = {}): SqliteStore {
  return new SqliteStore(path, options);
}
