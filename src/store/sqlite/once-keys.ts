/**
 * The SQLite once-only key store (table once_keys): the primary key decides which INSERT of a key wins,
 * whichever process runs it; keys past their expiry are purged first, so they count as new again.
 */
import type { OnceKeyStore } from '../../core/ports/store';
import { iso, ms } from '../rows';
import type { SqliteConnection } from './connection';

export class SqliteOnceKeyStore implements OnceKeyStore {
  constructor(private readonly c: SqliteConnection) {}

  rememberOnce(key: string, expiresAt: string, now: Date): Promise<boolean> {
    // The key may be a request signature: it stays out of error messages.
    return this.c.attempt('remember a once-only key', () => {
      const nowMs = ms(now, 'now');
      const expiresMs = ms(expiresAt, 'expiresAt');
      return this.c.immediate((): boolean => {
        this.c.stmt('DELETE FROM once_keys WHERE expires_at_ms <= ?').run(nowMs);
        const inserted = this.c
          .stmt('INSERT OR IGNORE INTO once_keys (key, expires_at_ms, seen_at) VALUES (?, ?, ?)')
          .run(key, expiresMs, iso(now, 'now'));
        return inserted.changes === 1;
      });
    });
  }
}
