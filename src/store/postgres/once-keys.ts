/**
 * The PostgreSQL once-only key store (table once_keys). Remembering a key is one upsert that succeeds
 * for the first caller, or for a caller whose key had expired (it counts as new again), and for no one
 * while the key is remembered: the primary key and the row lock decide between replicas. The same
 * statement purges a bounded batch of other expired keys, skipping rows another replica is purging.
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
import type { PgConnection } from './connection';

/** Expired keys purged per call at most, so a backlog never slows a request. */
const PURGE_BATCH = 100;

export class PostgresOnceKeyStore implements OnceKeyStore {
  constructor(private readonly c: PgConnection) {}

  async rememberOnce(key: string, expiresAt: string, now: Date): Promise<boolean> {
    // The key may be a request signature: it stays out of error messages.
    const nowMs = ms(now, 'now');
    const remembered = await this.c.count(
      'remember a once-only key',
      `WITH purged AS (
         DELETE FROM once_keys WHERE key IN (
           SELECT key FROM once_keys WHERE expires_at_ms <= $3 AND key <> $1
           LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)
       )
       INSERT INTO once_keys (key, expires_at_ms, seen_at)
         SELECT $1::text, $2::bigint, $4::timestamptz FROM (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed
       ON CONFLICT (key) DO UPDATE SET expires_at_ms = EXCLUDED.expires_at_ms, seen_at = EXCLUDED.seen_at
         WHERE once_keys.expires_at_ms <= $3`,
      [key, ms(expiresAt, 'expiresAt'), nowMs, iso(now, 'now')],
      // Every Slack request waits for it before its ack: the ack lane (connection.ts), never behind audits.
      'ack',
    );
    return remembered === 1;
  }
}
