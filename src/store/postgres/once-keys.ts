/**
 * The PostgreSQL once-only key store (table once_keys). Remembering a key is an upsert that succeeds
 * for the first caller, or for a caller whose key had expired (it counts as new again), and for no one
 * while the key is remembered: the primary key and the row lock decide between replicas. The same
 * statement purges a bounded batch of other expired keys, skipping rows another replica is purging.
 *
 * On the Slack ack path, on the ack lane (connection.ts), and coalesced: at most ACK_LANE_SIZE statements
 * run at once, and the keys presented meanwhile go together in the next one (one multi-row upsert that
 * returns the keys it took). A burst of 50 requests then costs a few round trips instead of 50 queued
 * one after the other on two connections. A key presented twice before its statement runs is one row:
 * the first caller gets the answer, the others false (a replay).
 *
 * Durability: the statement commits with `synchronous_commit = off` (set for its own transaction only,
 * inside the statement: still one round trip), so the ack does not wait for the server's WAL flush. A
 * crash of the PostgreSQL server can lose the last fraction of a second of such keys, never corrupt
 * anything; a lost key would let that one request be replayed within its five-minute window. A command is
 * read-only or only asks for an approval, and a click's decision is a compare-and-set committed with the
 * server's synchronous commit (which flushes the WAL before it, the click's key included), so a replayed
 * click finds the approval already decided. The same decision as the SQLite store's (once-keys.ts there).
 */
import type { OnceKeyStore } from '../../core/ports/store';
import { iso, ms } from '../rows';
import { ACK_LANE_SIZE, type PgConnection } from './connection';

/** Expired keys purged per statement at most, so a backlog never slows a request. */
const PURGE_BATCH = 100;
/** Keys per statement at most. */
const KEYS_PER_STATEMENT = 100;

interface Caller {
  resolve(first: boolean): void;
  reject(error: unknown): void;
}

interface Presented {
  key: string;
  expiresMs: number;
  nowMs: number;
  seenAt: string;
  first: Caller;
  /** The same key presented again before the statement ran: replays. */
  again: Caller[];
}

export class PostgresOnceKeyStore implements OnceKeyStore {
  /** Keys waiting for the next statement, by key, in the order presented. */
  private readonly waiting = new Map<string, Presented>();
  private running = 0;

  constructor(private readonly c: PgConnection) {}

  rememberOnce(key: string, expiresAt: string, now: Date): Promise<boolean> {
    let presented: Omit<Presented, 'first' | 'again'>;
    try {
      presented = {
        key,
        expiresMs: ms(expiresAt, 'expiresAt'),
        nowMs: ms(now, 'now'),
        seenAt: iso(now, 'now'),
      };
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<boolean>((resolve, reject) => {
      const same = this.waiting.get(key);
      if (same) same.again.push({ resolve, reject });
      else this.waiting.set(key, { ...presented, first: { resolve, reject }, again: [] });
      this.next();
    });
  }

  private next(): void {
    while (this.running < ACK_LANE_SIZE && this.waiting.size > 0) {
      const batch: Presented[] = [];
      for (const presented of this.waiting.values()) {
        if (batch.length === KEYS_PER_STATEMENT) break;
        batch.push(presented);
      }
      for (const presented of batch) this.waiting.delete(presented.key);
      this.running += 1;
      void this.remember(batch).finally(() => {
        this.running -= 1;
        this.next();
      });
    }
  }

  private async remember(batch: readonly Presented[]): Promise<void> {
    // The key may be a request signature: it stays out of error messages.
    try {
      const rows = await this.c.rows<{ key: string }>(
        'remember a once-only key',
        // A key counts as new again once expired at ITS caller's now (the row's seen_at, in ms); the purge
        // takes keys expired at the earliest now of the batch.
        `WITH purged AS (
           DELETE FROM once_keys WHERE key IN (
             SELECT key FROM once_keys WHERE expires_at_ms <= $4 AND key <> ALL($1::text[])
             LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)
         )
         INSERT INTO once_keys (key, expires_at_ms, seen_at)
           SELECT k.key, k.expires_at_ms, k.seen_at
           FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) WITH ORDINALITY AS k(key, expires_at_ms, seen_at, n),
                (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed
           ORDER BY k.n
         ON CONFLICT (key) DO UPDATE SET expires_at_ms = EXCLUDED.expires_at_ms, seen_at = EXCLUDED.seen_at
           WHERE once_keys.expires_at_ms <= extract(epoch FROM EXCLUDED.seen_at) * 1000
         RETURNING key`,
        [
          batch.map((p) => p.key),
          batch.map((p) => p.expiresMs),
          batch.map((p) => p.seenAt),
          Math.min(...batch.map((p) => p.nowMs)),
        ],
        // Every Slack request waits for it before its ack: the ack lane (connection.ts), never behind audits.
        'ack',
      );
      const taken = new Set(rows.map((r) => r.key));
      for (const presented of batch) {
        presented.first.resolve(taken.has(presented.key));
        for (const caller of presented.again) caller.resolve(false);
      }
    } catch (error) {
      for (const presented of batch) {
        presented.first.reject(error);
        for (const caller of presented.again) caller.reject(error);
      }
    }
  }
}
