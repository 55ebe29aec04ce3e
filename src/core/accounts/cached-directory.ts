/**
 * A discovered account list kept for a short time: discovery (AWS Organizations: dozens of paged calls
 * for 1,000 accounts) runs at most once per `ttlMs`, and callers that arrive while it runs share that one
 * discovery. When a refresh fails, the last good list is still answered for a bounded time (`maxStaleMs`
 * after it was discovered), with a warning in the log, so a throttled or briefly denied Organizations API
 * does not stop audits; past that bound, or with no list yet, the discovery's error is the answer.
 * Pure apart from the injected clock and logger: no timers, nothing runs in the background.
 */
import type { AccountDirectory, AccountSource, DirectoryAccount } from '../ports/account-directory';
import type { Logger } from '../ports/logger';

export interface CachedDirectoryOptions {
  source: AccountSource;
  /** Discovers the accounts (rejects with an error whose message says what to fix). */
  load: () => Promise<DirectoryAccount[]>;
  /** How long a discovered list is used before it is discovered again. */
  ttlMs: number;
  /** How long after its discovery a list may still be answered when refreshing it fails. */
  maxStaleMs: number;
  /** What discovers, for log lines ("AWS Organizations account discovery"). */
  what: string;
  log?: Logger;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

/** After a failed refresh, the stale list is answered without trying again for this long (at most the TTL). */
const RETRY_AFTER_FAILURE_MS = 30_000;

interface Listing {
  accounts: readonly DirectoryAccount[];
  ids: ReadonlySet<string>;
  /** When it was discovered. */
  at: number;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class CachedAccountDirectory implements AccountDirectory {
  readonly source: AccountSource;
  private readonly options: CachedDirectoryOptions;
  private readonly now: () => number;
  private good: Listing | undefined;
  private failedAt: number | undefined;
  private inFlight: Promise<Listing> | undefined;

  constructor(options: CachedDirectoryOptions) {
    this.options = options;
    this.source = options.source;
    this.now = options.now ?? Date.now;
  }

  async list(): Promise<readonly DirectoryAccount[]> {
    return (await this.current()).accounts;
  }

  async has(accountId: string): Promise<boolean> {
    return (await this.current()).ids.has(accountId);
  }

  private current(): Promise<Listing> {
    const now = this.now();
    const good = this.good;
    if (good && now - good.at < this.options.ttlMs) return Promise.resolve(good);
    const retryAfter = Math.min(this.options.ttlMs, RETRY_AFTER_FAILURE_MS);
    if (good && this.failedAt !== undefined && now - this.failedAt < retryAfter && this.usable(good, now)) {
      return Promise.resolve(good);
    }
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private usable(listing: Listing, now: number): boolean {
    return now - listing.at <= this.options.maxStaleMs;
  }

  private async refresh(): Promise<Listing> {
    const { log, what } = this.options;
    const started = this.now();
    let accounts: DirectoryAccount[];
    try {
      accounts = await this.options.load();
    } catch (error) {
      return this.failed(error);
    }
    const previous = this.good;
    const at = this.now();
    this.good = { accounts: Object.freeze(accounts), ids: new Set(accounts.map((a) => a.accountId)), at };
    this.failedAt = undefined;
    const fields = { accounts: accounts.length, durationMs: at - started };
    // Every TTL a refresh runs; say so loudly only when something changed.
    if (previous?.accounts.length === accounts.length) log?.debug(`${what}: refreshed`, fields);
    else log?.info(`${what}: discovered ${accounts.length} account(s)`, fields);
    return this.good;
  }

  private failed(error: unknown): Listing {
    const { log, what } = this.options;
    const now = this.now();
    this.failedAt = now;
    const good = this.good;
    if (good && this.usable(good, now)) {
      log?.warn(`${what} failed: still using the list discovered earlier`, {
        error: errorText(error),
        accounts: good.accounts.length,
        discoveredAt: new Date(good.at).toISOString(),
        ageSeconds: Math.round((now - good.at) / 1000),
        maxStaleSeconds: Math.round(this.options.maxStaleMs / 1000),
      });
      return good;
    }
    log?.error(
      good
        ? `${what} failed, and the list discovered earlier is too old to use`
        : `${what} failed, and there is no earlier list to use`,
      {
        error: errorText(error),
        ...(good ? { discoveredAt: new Date(good.at).toISOString() } : {}),
      },
    );
    throw error;
  }
}
