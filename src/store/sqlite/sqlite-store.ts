/**
 * The embedded SQLite implementation of the store ports (better-sqlite3): one database file shared by
 * several processes (replicas, the CLI next to the bot) through WAL and a busy timeout, schema migrations
 * applied at open. Each port is implemented by its own part (audit-runs.ts, plans.ts, approvals.ts,
 * audit-log.ts, schedule-runs.ts, conversations.ts, once-keys.ts, leases.ts) over one shared connection; this class
 * opens the file and puts the parts together. Errors are StoreErrors with the driver error as cause.
 */
import Database from 'better-sqlite3';
import { StoreError } from '../../core/ports/store';
import type { MigrationOutcome } from '../migrations';
import { PartsStore, type StoreParts } from '../parts-store';
import { SqliteAlertStateStore } from './alert-states';
import { SqliteApprovalStore } from './approvals';
import { SqliteAuditLogStore } from './audit-log';
import { SqliteAuditRunStore } from './audit-runs';
import { DEFAULT_BUSY_RETRY_MS, isLocked, SqliteConnection } from './connection';
import { SqliteConversationRefStore } from './conversations';
import { SqliteExceptionStore } from './exceptions';
import { SqliteLeaseStore } from './leases';
import { MIGRATIONS, type Migration, migrate } from './migrations';
import { SqliteOnceKeyStore } from './once-keys';
import { SqlitePlanStore } from './plans';
import { SqliteScheduleRunStore } from './schedule-runs';
import { SqliteSlackInstallationStore } from './slack-installations';

export interface OpenStoreOptions {
  /**
   * Opening only: how long opening and migrating wait for another process's lock (ms, synchronously:
   * nothing is served yet). Default 5000.
   */
  openTimeoutMs?: number;
  /**
   * Once open: how long a call waits in total for another process's lock before it rejects with a
   * StoreError of kind 'unavailable' (ms). The wait is asynchronous (see SqliteConnection), so the event
   * loop keeps serving meanwhile. Default 1000: well inside Slack's 3-second deadline.
   */
  busyRetryMs?: number;
  /** The migrations to apply; tests pass a prefix to build an old-version database. */
  migrations?: readonly Migration[];
  /** The clock for timestamps the store fills in itself (updatedAt defaults, migration times). */
  now?: () => Date;
}

/** How long /readyz's check waits for a lock at most (ms): a probe wants a prompt answer. */
const PING_BUDGET_MS = 200;

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

/**
 * Opens the file, sets it up for several processes (WAL) and applies the migrations, waiting up to
 * `openTimeoutMs` for other processes' locks; then sets the busy timeout to 0: from here on a lock is
 * waited for asynchronously (SqliteConnection#attempt), never on the main thread.
 */
function openDatabase(
  path: string,
  options: OpenStoreOptions,
  now: () => Date,
): { db: Database.Database; migration: MigrationOutcome } {
  const busyTimeoutMs = options.openTimeoutMs ?? 5000;
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
  } catch (cause) {
    throw new StoreError(`cannot open the database ${path}: ${(cause as Error).message}`, { cause });
  }
  let migration: MigrationOutcome | undefined;
  try {
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    // FULL: a committed decision or audit-log line survives a power cut, not only a process crash.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    retryWhileLocked(busyTimeoutMs, () => {
      // Switching a new file to WAL takes a lock that SQLite's busy handler does not wait for, so two
      // processes opening the same new file at once can see "database is locked": retry the preparation
      // (a second opener then finds WAL already on, and the migrations run in an IMMEDIATE transaction).
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      migration = migrate(db, options.migrations ?? MIGRATIONS, now);
    });
    db.pragma('busy_timeout = 0');
  } catch (cause) {
    db.close();
    if (cause instanceof StoreError) throw cause;
    throw new StoreError(`cannot prepare the database ${path}: ${(cause as Error).message}`, { cause });
  }
  return { db, migration: migration as MigrationOutcome };
}

function sqliteParts(connection: SqliteConnection): StoreParts {
  return {
    auditRuns: new SqliteAuditRunStore(connection),
    plans: new SqlitePlanStore(connection),
    approvals: new SqliteApprovalStore(connection),
    auditLog: new SqliteAuditLogStore(connection),
    scheduleRuns: new SqliteScheduleRunStore(connection),
    conversations: new SqliteConversationRefStore(connection),
    onceKeys: new SqliteOnceKeyStore(connection),
    leases: new SqliteLeaseStore(connection),
    exceptions: new SqliteExceptionStore(connection),
    alertStates: new SqliteAlertStateStore(connection),
    slackInstallations: new SqliteSlackInstallationStore(connection),
  };
}

export class SqliteStore extends PartsStore {
  readonly path: string;
  /** What the migration at open did (from/to version, versions applied by this open). */
  readonly migration: MigrationOutcome;
  private readonly db: Database.Database;
  private readonly connection: SqliteConnection;

  constructor(path: string, options: OpenStoreOptions = {}) {
    const now = options.now ?? (() => new Date());
    const { db, migration } = openDatabase(path, options, now);
    const connection = new SqliteConnection(db, now, options.busyRetryMs ?? DEFAULT_BUSY_RETRY_MS);
    super(sqliteParts(connection));
    this.path = path;
    this.db = db;
    this.connection = connection;
    this.migration = migration;
  }

  /**
   * Takes and releases the write lock (an empty IMMEDIATE transaction): a file another process keeps
   * locked is unusable for cis-bot's writes even when it can still be read.
   */
  ping(): Promise<void> {
    return this.connection.attempt(
      'check the database',
      () => this.connection.immediate(() => undefined),
      Math.min(PING_BUDGET_MS, this.connection.busyRetryMs),
    );
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
