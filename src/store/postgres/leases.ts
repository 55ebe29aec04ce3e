/**
 * The PostgreSQL lease store (table leases). Acquiring is one INSERT … ON CONFLICT DO UPDATE … WHERE:
 * PostgreSQL locks the conflicting row and re-checks the condition (same owner, or lapsed) on its latest
 * version, so of any number of replicas acquiring at once exactly one holds the key. Renewing and
 * releasing are one conditional UPDATE / DELETE on the owner.
 */
import type { LeaseRecord, LeaseStore } from '../../core/ports/store';
import { type LeaseRow, leaseFromRow, leaseValues } from '../row-mapping';
import type { PgConnection } from './connection';

export class PostgresLeaseStore implements LeaseStore {
  constructor(private readonly c: PgConnection) {}

  async acquireLease(key: string, owner: string, ttlMs: number, now: Date): Promise<LeaseRecord | undefined> {
    const { values, nowMs } = leaseValues(key, owner, ttlMs, now);
    // The right-hand sides read the row before the update: acquired_at stays for the same owner.
    const [row] = await this.c.rows<LeaseRow>(
      `acquire the lease ${key}`,
      `INSERT INTO leases (key, owner, acquired_at, expires_at_ms) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET
         owner = EXCLUDED.owner,
         acquired_at = CASE WHEN leases.owner = EXCLUDED.owner THEN leases.acquired_at
                            ELSE EXCLUDED.acquired_at END,
         expires_at_ms = EXCLUDED.expires_at_ms
       WHERE leases.owner = EXCLUDED.owner OR leases.expires_at_ms <= $5
       RETURNING *`,
      [...values, nowMs],
    );
    return row ? leaseFromRow(row) : undefined;
  }

  async renewLease(key: string, owner: string, ttlMs: number, now: Date): Promise<LeaseRecord | undefined> {
    const { values } = leaseValues(key, owner, ttlMs, now);
    const [row] = await this.c.rows<LeaseRow>(
      `renew the lease ${key}`,
      'UPDATE leases SET expires_at_ms = $1 WHERE key = $2 AND owner = $3 RETURNING *',
      [values[3], key, owner],
    );
    return row ? leaseFromRow(row) : undefined;
  }

  async releaseLease(key: string, owner: string): Promise<boolean> {
    const released = await this.c.count(
      `release the lease ${key}`,
      'DELETE FROM leases WHERE key = $1 AND owner = $2',
      [key, owner],
    );
    return released === 1;
  }

  async getLease(key: string): Promise<LeaseRecord | undefined> {
    const [row] = await this.c.rows<LeaseRow>(
      `read the lease ${key}`,
      'SELECT * FROM leases WHERE key = $1',
      [key],
    );
    return row ? leaseFromRow(row) : undefined;
  }
}
