/**
 * What every part of the SQLite store shares: the open better-sqlite3 database, its prepared-statement
 * cache, the store's clock, IMMEDIATE transactions, and `attempt`, which turns any driver failure into a
 * StoreError that says what was being done.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../../core/ports/store';

export class SqliteConnection {
  readonly db: Database.Database;
  readonly now: () => Date;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database, now: () => Date) {
    this.db = db;
    this.now = now;
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

  /** Runs `fn`, turning any failure into a StoreError that says what was being done. */
  attempt<T>(what: string, fn: () => T): Promise<T> {
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
}

/** `?, ?, ?` for an IN list of `count` values. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
