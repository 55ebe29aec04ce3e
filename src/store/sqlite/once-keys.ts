/**
 * The SQLite once-only key store (table once_keys), on the Slack ack path: remembering a key is ONE
 * statement, an upsert that succeeds for the first caller or for a caller whose key had expired (it counts
 * as new again), and for no one while the key is remembered; the primary key decides which process wins.
 * Expired keys are purged in bounded batches at most once a purge interval, not on every call.
 *
 * Durability: the upsert commits with `synchronous = NORMAL` (the rest of the store stays FULL). In WAL
 * mode that commit is written to the WAL before the call returns, so a crash or restart of the process
 * keeps it; only a power cut or kernel crash before the next FULL commit or checkpoint can lose it. That
 * is enough for a replay cache and takes the fsync (a few ms each, one after the other on the event loop)
 * off every ack: a lost key would let that one request be replayed within its five-minute window after
 * the machine came back; a command is read-only or only asks for an approval, and a click's decision is
 * a compare-and-set committed FULL (which also syncs the WAL before it, the click's key included), so a
 * replayed click finds the approval already decided.
 */
import type { OnceKeyStore } from '../../core/ports/store';
import { iso, ms } from '../rows';
import type { SqliteConnection } from './connection';

/** How often expired keys are purged, at most, and how many per purge (a backlog never slows an ack). */
const PURGE_EVERY_MS = 60_000;
const PURGE_BATCH = 500;

export class SqliteOnceKeyStore implements OnceKeyStore {
  /** The `now` of the last purge; -Infinity: the first call purges. */
  private purgedAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly c: SqliteConnection) {}

  rememberOnce(key: string, expiresAt: string, now: Date): Promise<boolean> {
    // The key may be a request signature: it stays out of error messages.
    return this.c.attempt('remember a once-only key', () => {
      const nowMs = ms(now, 'now');
      const expiresMs = ms(expiresAt, 'expiresAt');
      return this.c.relaxedDurability((): boolean => {
        if (Math.abs(nowMs - this.purgedAtMs) >= PURGE_EVERY_MS) {
          this.purgedAtMs = nowMs;
          this.c
            .stmt(
              `DELETE FROM once_keys WHERE key IN (
                 SELECT key FROM once_keys WHERE expires_at_ms <= ? AND key <> ? LIMIT ${PURGE_BATCH})`,
            )
            .run(nowMs, key);
        }
        const remembered = this.c
          .stmt(
            `INSERT INTO once_keys (key, expires_at_ms, seen_at) VALUES (?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET expires_at_ms = excluded.expires_at_ms, seen_at = excluded.seen_at
               WHERE once_keys.expires_at_ms <= ?`,
          )
          .run(key, expiresMs, iso(now, 'now'), nowMs);
        return remembered.changes === 1;
      });
    });
  }
}
