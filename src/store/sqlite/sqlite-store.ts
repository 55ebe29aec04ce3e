/**
 * The embedded SQLite implementation of the store ports (better-sqlite3): one database file shared by
 * several processes (replicas, the CLI next to the bot) through WAL and a busy timeout, schema migrations
 * applied at open. Each port is implemented by its own part (audit-runs.ts, plans.ts, approvals.ts,
 * audit-log.ts, schedule-runs.ts, conversations.ts, once-keys.ts) over one shared connection; this class
 * opens the file and puts the parts together. Errors are StoreErrors with the driver error as cause.
 */
import Database from 'better-sqlite3';
import type { Platform } from '../../core/ports/chat';
import {
  type Approval,
  type ApprovalPatch,
  type ApprovalQuery,
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
} from '../../core/ports/store';
import { SqliteApprovalStore } from './approvals';
import { SqliteAuditLogStore } from './audit-log';
import { SqliteAuditRunStore } from './audit-runs';
import { SqliteConnection } from './connection';
import { SqliteConversationRefStore } from './conversations';
import { MIGRATIONS, type Migration, migrate } from './migrations';
import { SqliteOnceKeyStore } from './once-keys';
import { SqlitePlanStore } from './plans';
import { SqliteScheduleRunStore } from './schedule-runs';

export interface OpenStoreOptions {
  /** How long a write waits for another process's lock before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
  /** The migrations to apply; tests pass a prefix to build an old-version database. */
  migrations?: readonly Migration[];
  /** The clock for timestamps the store fills in itself (updatedAt defaults, migration times). */
  now?: () => Date;
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

export class SqliteStore implements Store {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly auditRuns: SqliteAuditRunStore;
  private readonly plans: SqlitePlanStore;
  private readonly approvals: SqliteApprovalStore;
  private readonly auditLog: SqliteAuditLogStore;
  private readonly scheduleRuns: SqliteScheduleRunStore;
  private readonly conversations: SqliteConversationRefStore;
  private readonly onceKeys: SqliteOnceKeyStore;

  constructor(path: string, options: OpenStoreOptions = {}) {
    this.path = path;
    const now = options.now ?? (() => new Date());
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
        migrate(this.db, options.migrations ?? MIGRATIONS, now);
      });
    } catch (cause) {
      this.db.close();
      if (cause instanceof StoreError) throw cause;
      throw new StoreError(`cannot prepare the database ${path}: ${(cause as Error).message}`, { cause });
    }
    const connection = new SqliteConnection(this.db, now);
    this.auditRuns = new SqliteAuditRunStore(connection);
    this.plans = new SqlitePlanStore(connection);
    this.approvals = new SqliteApprovalStore(connection);
    this.auditLog = new SqliteAuditLogStore(connection);
    this.scheduleRuns = new SqliteScheduleRunStore(connection);
    this.conversations = new SqliteConversationRefStore(connection);
    this.onceKeys = new SqliteOnceKeyStore(connection);
  }

  // ---- audit runs and findings --------------------------------------------------------------------
  recordAuditRun(run: AuditRunRecord): Promise<void> {
    return this.auditRuns.recordAuditRun(run);
  }
  getAuditRun(id: string): Promise<AuditRunRecord | undefined> {
    return this.auditRuns.getAuditRun(id);
  }
  latestFindings(control: string, accountIds?: readonly string[]): Promise<StoredFinding[]> {
    return this.auditRuns.latestFindings(control, accountIds);
  }
  findingsSince(control: string, since: string, accountIds?: readonly string[]): Promise<StoredFinding[]> {
    return this.auditRuns.findingsSince(control, since, accountIds);
  }

  // ---- plans --------------------------------------------------------------------------------------
  savePlan(plan: PlanRecord): Promise<void> {
    return this.plans.savePlan(plan);
  }
  getPlan(hash: string): Promise<PlanRecord | undefined> {
    return this.plans.getPlan(hash);
  }

  // ---- approvals ----------------------------------------------------------------------------------
  createApproval(input: NewApproval, log?: AuditLogInput): Promise<Approval> {
    return this.approvals.createApproval(input, log);
  }
  getApproval(id: string): Promise<Approval | undefined> {
    return this.approvals.getApproval(id);
  }
  transitionApproval(
    id: string,
    from: ApprovalState | readonly ApprovalState[],
    to: ApprovalState,
    patch?: ApprovalPatch,
    guard?: TransitionGuard,
    log?: AuditLogInput,
  ): Promise<Approval | undefined> {
    return this.approvals.transitionApproval(id, from, to, patch, guard, log);
  }
  listApprovals(query?: ApprovalQuery): Promise<Approval[]> {
    return this.approvals.listApprovals(query);
  }

  // ---- audit log ----------------------------------------------------------------------------------
  appendAuditLog(entry: AuditLogInput): Promise<number> {
    return this.auditLog.appendAuditLog(entry);
  }
  listAuditLog(query?: AuditLogQuery): Promise<AuditLogEntry[]> {
    return this.auditLog.listAuditLog(query);
  }

  // ---- conversation references --------------------------------------------------------------------
  saveConversationRef(platform: Platform, conversationId: string, ref: unknown): Promise<void> {
    return this.conversations.saveConversationRef(platform, conversationId, ref);
  }
  getConversationRef(platform: Platform, conversationId: string): Promise<unknown | undefined> {
    return this.conversations.getConversationRef(platform, conversationId);
  }
  listConversationRefs(platform: Platform): Promise<StoredConversationRef[]> {
    return this.conversations.listConversationRefs(platform);
  }

  // ---- scheduled runs -----------------------------------------------------------------------------
  claimScheduleRun(
    scheduleName: string,
    fireTime: string,
    owner: string,
    leaseMs: number,
    now: Date,
  ): Promise<boolean> {
    return this.scheduleRuns.claimScheduleRun(scheduleName, fireTime, owner, leaseMs, now);
  }
  completeScheduleRun(scheduleName: string, fireTime: string, summary: unknown, now?: Date): Promise<void> {
    return this.scheduleRuns.completeScheduleRun(scheduleName, fireTime, summary, now);
  }
  getScheduleRun(scheduleName: string, fireTime: string): Promise<ScheduleRunRecord | undefined> {
    return this.scheduleRuns.getScheduleRun(scheduleName, fireTime);
  }
  lastCompletedScheduleRun(
    scheduleName: string,
  ): Promise<{ fireTime: string; completedAt: string; summary: unknown } | undefined> {
    return this.scheduleRuns.lastCompletedScheduleRun(scheduleName);
  }

  // ---- once-only keys -----------------------------------------------------------------------------
  rememberOnce(key: string, expiresAt: string, now: Date): Promise<boolean> {
    return this.onceKeys.rememberOnce(key, expiresAt, now);
  }

  async close(): Promise<void> {
    try {
      if (this.db.open) this.db.close();
    } catch (cause) {
      throw new StoreError(`could not close the database: ${(cause as Error).message}`, { cause });
    }
  }
}

/** Opens (creating and migrating as needed) the SQLite store at `path`; ':memory:' for a private one. */
export function openStore(path: string, options: OpenStoreOptions = {}): SqliteStore {
  return new SqliteStore(path, options);
}
