/**
 * The SQLite lease store (table leases): acquiring is one upsert that inserts a free key, or takes the
 * row only when its owner is the caller or its lease lapsed; renewing and releasing are one conditional
 * UPDATE / DELETE on the owner. Each is a single statement, atomic across processes sharing the file.
 */
import type { LeaseRecord, LeaseStore } from '../../core/ports/store';
import { type LeaseRow, leaseFromRow, leaseValues } from '../row-mapping';
import type { SqliteConnection } from './connection';

export class SqliteLeaseStore implements LeaseStore {
  constructor(private readonly c: SqliteConnection) {}

  acquireLease(key: string, owner: string, ttlMs: number, now: Date): Promise<LeaseRecord | undefined> {
    return this.c.attempt(`acquire the lease ${key}`, () => {
      const { values, nowMs } = leaseValues(key, owner, ttlMs, now);
      // An UPDATE's right-hand sides read the row before the update: acquired_at stays for the same owner.
      const row = this.c
        .stmt(
          `INSERT INTO leases (key, owner, acquired_at, expires_at_ms) VALUES (?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET
             owner = excluded.owner,
             acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at
                                ELSE excluded.acquired_at END,
             expires_at_ms = excluded.expires_at_ms
           WHERE leases.owner = excluded.owner OR leases.expires_at_ms <= ?
           RETURNING *`,
        )
        .get(...values, nowMs) as LeaseRow | undefined;
      return row ? leaseFromRow(row) : undefined;
    });
  }

  renewLease(key: string, owner: string, ttlMs: number, now: Date): Promise<LeaseRecord | undefined> {
    return this.c.attempt(`renew the lease ${key}`, () => {
      const { values } = leaseValues(key, owner, ttlMs, now);
      const row = this.c
        .stmt('UPDATE leases SET expires_at_ms = ? WHERE key = ? AND owner = ? RETURNING *')
        .get(values[3], key, owner) as LeaseRow | undefined;
      return row ? leaseFromRow(row) : undefined;
    });
  }

  releaseLease(key: string, owner: string): Promise<boolean> {
    return this.c.attempt(`release the lease ${key}`, () => {
      const deleted = this.c.stmt('DELETE FROM leases WHERE key = ? AND owner = ?').run(key, owner);
      return deleted.changes === 1;
    });
  }

  getLease(key: string): Promise<LeaseRecord | undefined> {
    return this.c.attempt(`read the lease ${key}`, () => {
      const row = this.c.stmt('SELECT * FROM leases WHERE key = ?').get(key) as LeaseRow | undefined;
      return row ? leaseFromRow(row) : undefined;
    });
  }
}
