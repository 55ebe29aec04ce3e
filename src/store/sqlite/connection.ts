/**
 * What every part of the SQLite store shares: the open better-sqlite3 database, its prepared-statement
 * cache, the store's clock, IMMEDIATE transactions, and `attempt`, which runs a statement or transaction,
 * waits for another process's lock without blocking the event loop, and turns any driver failure into a
 * StoreError that says what was being done.
 *
 * Why not a worker thread: better-sqlite3 is synchronous, but an uncontended statement takes
 * microseconds; the only long waits were SQLite's busy handler sleeping on the main thread while another
 * process held the write lock (up to the 5 s busy timeout per write, requests queued behind it). So the
 * connection's busy timeout is 0 once the database is open (a locked file answers SQLITE_BUSY at once)
 * and `attempt` retries on timers (short, growing, jittered pauses) for at most `busyRetryMs`, then
 * rejects with a StoreError of kind 'unavailable'. The event loop is never blocked by a lock, the fast
 * path stays synchronous (no message passing per statement, which a worker would add to every Slack ack),
 * and a failed attempt wrote nothing (a statement is atomic, and an IMMEDIATE transaction takes the write
 * lock before its first statement, rolling back if it cannot), so retrying it is safe.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../../core/ports/store';

/** The first pause before retrying a locked call (ms); it doubles up to MAX_PAUSE_MS, with jitter. */
const FIRST_PAUSE_MS = 2;
const MAX_PAUSE_MS = 50;
/** How long a call waits for another process's lock by default (ms): well inside Slack's 3 s. */
export const DEFAULT_BUSY_RETRY_MS = 1000;

/** True for SQLite's "another connection holds the lock" answers (SQLITE_BUSY*, SQLITE_LOCKED*). */
export function isLocked(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) ||
    /database is locked|database table is locked/.test(String(error))
  );
}

/** SQLite result codes that say the file cannot be used now (disk, permissions, a vanished file). */
function fileUnusable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(IOERR|CANTOPEN|FULL|READONLY|NOTADB)/.test(code);
}

function messageOf(cause: unknown): string {
  // Duck-typed: errors from the native driver may come from another realm (e.g. under jest).
  const message = (cause as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(cause);
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SqliteConnection {
  readonly db: Database.Database;
  readonly now: () => Date;
  /** How long a call waits, in total and asynchronously, for another process's lock (ms). */
  readonly busyRetryMs: number;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database, now: () => Date, busyRetryMs = DEFAULT_BUSY_RETRY_MS) {
    this.db = db;
    this.now = now;
    this.busyRetryMs = busyRetryMs;
  }

  /** A prepared statement, cached by its SQL text. */
  stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `work` in an IMMEDIATE transaction: the write lock is taken first, so it cannot deadlock later. */
  immediate<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /**
   * Runs `work` (autocommit statements, no transaction of its own) with `synchronous = NORMAL`, then puts
   * the connection's FULL back: its commits survive a process crash but not a power cut. Only for data
   * whose loss on a power cut is harmless (the replay cache; see once-keys.ts); never for a decision.
   */
  relaxedDurability<T>(work: () => T): T {
    this.stmt('PRAGMA synchronous = NORMAL').run();
    try {
      return work();
    } finally {
      this.stmt('PRAGMA synchronous = FULL').run();
    }
  }

  /**
   * Runs `fn` (synchronously when the database is free), again after short pauses on timers while
   * another process holds the lock, for at most `budgetMs` in total; any failure becomes a StoreError
   * that says what was being done (kind 'unavailable' for a lock that outlasted the budget or a file
   * that cannot be used).
   */
  attempt<T>(what: string, fn: () => T, budgetMs = this.busyRetryMs): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (cause) {
      if (!isLocked(cause)) return Promise.reject(this.storeError(what, cause));
      return this.retryWhileLocked(what, fn, cause, budgetMs);
    }
  }

  private async retryWhileLocked<T>(what: string, fn: () => T, first: unknown, budgetMs: number): Promise<T> {
    const deadline = Date.now() + budgetMs;
    let wait = FIRST_PAUSE_MS;
    let last = first;
    for (let left = deadline - Date.now(); left > 0; left = deadline - Date.now()) {
      await pause(Math.min(left, Math.ceil(wait * (0.5 + Math.random()))));
      wait = Math.min(wait * 2, MAX_PAUSE_MS);
      try {
        return fn();
      } catch (cause) {
        if (!isLocked(cause)) throw this.storeError(what, cause);
        last = cause;
      }
    }
    throw new StoreError(
      `could not ${what}: the database file is locked by another process (waited ${budgetMs} ms)`,
      { cause: last, kind: 'unavailable' },
    );
  }

  private storeError(what: string, cause: unknown): StoreError {
    if (cause instanceof StoreError) return cause;
    const closed = !this.db.open;
    return new StoreError(`could not ${what}: ${messageOf(cause)}`, {
      cause,
      kind: closed || isLocked(cause) || fileUnusable(cause) ? 'unavailable' : 'failed',
    });
  }
}

/** `?, ?, ?` for an IN list of `count` values. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
