/**
 * The lease an executing approval holds on its exclusion key (by default `account:<id>`), through the one
 * lease port (LeaseStore), for as long as it works: acquired before its subject is re-checked, renewed in
 * the background (every `renewMs`, well inside `leaseMs`) and confirmed before every step, released when
 * the run ends. If the process dies, renewals stop and the lease lapses after at most `leaseMs`; a live
 * replica's resume scan then takes it over (a compare-and-set in the store) and finishes the run.
 *
 * The lease is the ONE source of truth for "is this execution alive": the approval row keeps who runs it
 * (executionOwner, the finish guard) but no expiry of its own. Two expiries (the row's and the lease's)
 * renewed by two writes could disagree after a crash between them, and the account's lease is the one
 * every other kind of work (drills, re-audits) already respects.
 */
import { RemediationRefused } from '../errors';
import type { LeaseRecord, LeaseStore } from '../ports/store';

/** How long a lease lasts without renewal, and how often its holder renews it. */
export interface LeaseTiming {
  leaseMs: number;
  renewMs: number;
}

/** Defaults: a 30 s lease renewed every 10 s (a survivor scanning every 15 s takes over within 45 s). */
export const DEFAULT_LEASE_TIMING: LeaseTiming = { leaseMs: 30_000, renewMs: 10_000 };

/** The run stopped because its lease was lost or could not be confirmed; another replica resumes it. */
export class ExecutionLeaseLost extends RemediationRefused {
  constructor(message: string, options?: { cause?: unknown }) {
    super('lease-lost', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

function describeHolder(lease: LeaseRecord): string {
  return `${lease.owner} (since ${lease.acquiredAt}, lease until ${lease.expiresAt})`;
}

/** A lease this process holds; renewed in the background until released or lost. */
export class HeldLease {
  private timer: ReturnType<typeof setInterval> | undefined;
  private renewal: Promise<void> | undefined;
  private lost = false;

  private constructor(
    private readonly store: LeaseStore,
    readonly key: string,
    readonly owner: string,
    private readonly timing: LeaseTiming,
    private readonly now: () => Date,
  ) {}

  /**
   * Acquires `key` for `owner` (a free key, a lapsed one, or `owner`'s own) and starts renewing it.
   * Refuses with 'account-busy', naming the holder, while another owner's lease runs.
   */
  static async acquire(
    store: LeaseStore,
    key: string,
    owner: string,
    timing: LeaseTiming,
    now: () => Date,
  ): Promise<HeldLease> {
    const got = await store.acquireLease(key, owner, timing.leaseMs, now());
    if (!got) {
      const holder = await store.getLease(key);
      throw new RemediationRefused(
        'account-busy',
        `${key} is busy: ${holder ? describeHolder(holder) : 'someone else'} is working on it.`,
      );
    }
    const held = new HeldLease(store, key, owner, timing, now);
    held.timer = setInterval(() => held.renewInBackground(), timing.renewMs);
    // Renewal must never keep a process (the CLI, a test) alive on its own.
    held.timer.unref?.();
    return held;
  }

  /**
   * Renews the lease now and answers when it is still ours; throws ExecutionLeaseLost when it was taken
   * over, or when the store cannot confirm it (the run stops before its next step; a replica resumes it).
   */
  async confirm(): Promise<void> {
    if (this.lost) throw this.lostError();
    let renewed: LeaseRecord | undefined;
    try {
      renewed = await this.store.renewLease(this.key, this.owner, this.timing.leaseMs, this.now());
    } catch (error) {
      throw new ExecutionLeaseLost(
        `The lease ${this.key} of ${this.owner} could not be confirmed (${error instanceof Error ? error.message : String(error)}); the run stops here and resumes once the store answers.`,
        { cause: error },
      );
    }
    if (!renewed) this.markLost();
    if (this.lost) throw this.lostError();
  }

  /** True once a renewal found the lease taken over. */
  get isLost(): boolean {
    return this.lost;
  }

  /** Stops renewing and gives the lease up (a no-op in the store when it was taken over). */
  async release(): Promise<void> {
    this.stop();
    await this.renewal;
    try {
      await this.store.releaseLease(this.key, this.owner);
    } catch {
      // The store is unreachable: the lease lapses by itself after leaseMs.
    }
  }

  private renewInBackground(): void {
    if (this.renewal || this.lost) return;
    this.renewal = this.store
      .renewLease(this.key, this.owner, this.timing.leaseMs, this.now())
      .then(
        (renewed) => {
          if (!renewed) this.markLost();
        },
        // A failed renewal is retried at the next tick; the next step's confirm() decides.
        () => undefined,
      )
      .finally(() => {
        this.renewal = undefined;
      });
  }

  private markLost(): void {
    this.lost = true;
    this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private lostError(): ExecutionLeaseLost {
    return new ExecutionLeaseLost(
      `${this.owner} lost its lease on ${this.key} (another replica took it over after it lapsed); the run stopped before its next step.`,
    );
  }
}
