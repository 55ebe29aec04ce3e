/**
 * The lease store port: ONE kind of lease for every per-account exclusion (a remediation executing, a
 * fire drill, a re-audit after a CloudTrail event), so whatever works on an account keeps the others out,
 * on every replica. A lease is a key (by convention `account:<id>`, see core/leases) held by one owner
 * until it expires; the owner renews it while it works and releases it when done. If the owner dies, the
 * lease lapses and anyone may take it over. Every method is one compare-and-set in the store, so of any
 * number of replicas racing for a key exactly one holds it at a time.
 *
 * Times are the caller's clock (`now`), like the scheduled-run leases: replicas are expected to keep
 * their clocks in sync (NTP); a skew of a second or two against a 30-second lease is harmless.
 */

/** A lease as stored: who holds `key` and until when. */
export interface LeaseRecord {
  key: string;
  owner: string;
  /** When this owner acquired it (kept across renewals and re-acquisitions by the same owner). */
  acquiredAt: string;
  /** When it lapses unless renewed: at or after this time anyone may take it over. */
  expiresAt: string;
}

export interface LeaseStore {
  /**
   * Acquires `key` for `owner` until `now + ttlMs`. Succeeds (returns the lease) when nobody holds the key,
   * when its holder's lease has lapsed (`expiresAt <= now`: a takeover), or when `owner` already holds it
   * (then it is extended, so a retried acquire is safe); answers undefined while another owner's lease runs.
   */
  acquireLease(key: string, owner: string, ttlMs: number, now: Date): Promise<LeaseRecord | undefined>;
  /**
   * Extends `owner`'s lease on `key` to `now + ttlMs`. Undefined when `owner` does not hold the key (it was
   * taken over after it lapsed, or released): the owner has lost it and must stop working under it. A
   * lapsed lease nobody took over yet is still the owner's, and is renewed.
   */
  renewLease(key: string, owner: string, ttlMs: number, now: Date): Promise<LeaseRecord | undefined>;
  /**
   * Gives up `owner`'s lease on `key`, so others need not wait for it to lapse. True when this call
   * released it; false when `owner` did not hold it (already released, taken over, never acquired).
   * Idempotent: releasing twice is not an error.
   */
  releaseLease(key: string, owner: string): Promise<boolean>;
  /** The lease on `key` as stored, lapsed or not (compare `expiresAt` with the time); undefined if none. */
  getLease(key: string): Promise<LeaseRecord | undefined>;
}
