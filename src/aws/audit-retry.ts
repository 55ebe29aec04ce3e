/**
 * The retry strategy of every client an AwsSession makes for an audit: the SDK's standard strategy (its
 * retry quota, which errors are retried, AUDIT_MAX_ATTEMPTS attempts) with a back-off that adapts to the
 * throttling its scope meets. Each client is one account's, one region's and one service's: the scope AWS
 * throttles on (the "token bucket per service and region" of issue 18, per account), so one strategy
 * instance per client paces exactly the calls being throttled and no other account's.
 *
 * Back-off (full jitter, each delay a uniform draw below its ceiling):
 * - throttling: the ceiling is THROTTLE_BASE_MS x 2^(pressure - 1), where the pressure counts this
 *   scope's throttles not yet offset by successes (each throttle +1, each success -1, at most
 *   MAX_PRESSURE). A lone throttle among successes waits < 100 ms; throttles in a row double the ceiling
 *   each time (100, 200, 400 ms ... up to 20 s), and a scope that keeps being throttled starts its next
 *   call's retries from where it was.
 * - other retryable errors (5xx, timeouts): TRANSIENT_BASE_MS x 2^retry, as the SDK does.
 * Why not the SDK's own: its standard mode waits up to 1 s (then 2, 4 s...) after ANY throttle; an
 * organization audit meeting occasional throttles spent most of its time there (1,000 accounts with 20%
 * of calls throttled: 44.7 s against 14.8 s calm). Its `adaptive` mode adds a client-side rate limiter
 * that drops to 0.5 calls a second after a first throttle with no measured rate, which stalls an
 * account's short chain of calls. With the same number of attempts, a call fails only after as many
 * throttles in a row as before, so verdicts do not change.
 */
import { StandardRetryStrategy } from '@smithy/core/retry';

type RetryToken = Parameters<StandardRetryStrategy['recordSuccess']>[0];
type RetryErrorInfo = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[1];

export const THROTTLE_BASE_MS = 100;
export const TRANSIENT_BASE_MS = 100;
export const MAX_DELAY_MS = 20_000;
/** Past this the ceiling no longer grows (100 ms x 2^8 > 20 s). */
export const MAX_PRESSURE = 9;

/** The back-off's state for one scope (one client): see the module comment. */
export class ThrottleBackoff {
  /** Throttles of this scope not yet offset by successes. */
  pressure = 0;
  private throttled = false;

  /** A retryable error of this scope's call (before its retry's delay is computed). */
  observe(errorType: RetryErrorInfo['errorType']): void {
    this.throttled = errorType === 'THROTTLING';
    if (this.throttled) this.pressure = Math.min(MAX_PRESSURE, this.pressure + 1);
  }

  /** A call of this scope succeeded. */
  succeeded(): void {
    this.pressure = Math.max(0, this.pressure - 1);
  }

  /** The ceiling of the delay before retry number `retries + 1` of the current call. */
  ceiling(retries: number): number {
    const ceiling = this.throttled
      ? THROTTLE_BASE_MS * 2 ** Math.max(0, this.pressure - 1)
      : TRANSIENT_BASE_MS * 2 ** retries;
    return Math.min(MAX_DELAY_MS, ceiling);
  }

  computeNextBackoffDelay(retries: number): number {
    return Math.floor(Math.random() * this.ceiling(retries));
  }

  /** The SDK's own bases are not used (see the module comment). */
  setDelayBase(_delay: number): void {}
}

/** The SDK's standard retry strategy with the scope's adaptive back-off (one instance per client). */
export class AuditRetryStrategy extends StandardRetryStrategy {
  readonly backoff: ThrottleBackoff;

  constructor(maxAttempts: number) {
    const backoff = new ThrottleBackoff();
    super({ maxAttempts, backoff });
    this.backoff = backoff;
  }

  override refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    this.backoff.observe(errorInfo.errorType);
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }

  override recordSuccess(token: RetryToken): void {
    this.backoff.succeeded();
    super.recordSuccess(token);
  }
}
