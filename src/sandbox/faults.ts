/**
 * Which calls fail on purpose: one-off injected errors (`failNext`), and throttling / 503 answers at a
 * rate, globally or per service or operation. Rate decisions are deterministic for a seed even when calls
 * run concurrently: the k-th call of an operation by an account in a region always draws the same number,
 * whatever the interleaving with other accounts' calls, so a throttled benchmark repeats run to run.
 */
import type { Fault } from './dispatch';
import type { Caller, ServiceName } from './service';

export interface FaultRates {
  latencyMs: number;
  /** Share of calls (0..1) answered with the service's throttling error. */
  throttleRate: number;
  /** Share of calls (0..1) answered with 503. */
  errorRate: number;
  /**
   * Throttling rates by `service` or `service:Operation` (IAM prefix or endpoint name: `cloudwatch`,
   * `monitoring:DescribeAlarms`, `organizations:ListAccounts`); the most specific entry wins over `throttleRate`.
   */
  throttle: Record<string, number>;
}

interface Injection {
  service?: string;
  operation: string;
  errorCode: string;
  remaining: number;
}

/** A well-mixed 32-bit hash of text (FNV-1a, then murmur3's finalizer). */
function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export class FaultPlan {
  readonly rates: FaultRates;
  private readonly injections: Injection[] = [];
  private readonly counters = new Map<string, number>();

  constructor(
    rates: Partial<FaultRates>,
    private readonly seed: number,
  ) {
    this.rates = { latencyMs: 0, throttleRate: 0, errorRate: 0, throttle: {}, ...rates };
  }

  set(rates: Partial<FaultRates>): void {
    Object.assign(this.rates, rates);
  }

  /** The next `times` calls of `operation` (optionally `service:operation`) answer `errorCode`. */
  failNext(operation: string, errorCode: string, times: number): void {
    const cut = operation.indexOf(':');
    this.injections.push({
      ...(cut >= 0 ? { service: operation.slice(0, cut).toLowerCase() } : {}),
      operation: operation.slice(cut + 1),
      errorCode,
      remaining: times,
    });
  }

  private throttleRateFor(service: ServiceName, iamPrefix: string, operation: string): number {
    const t = this.rates.throttle;
    return (
      t[`${iamPrefix}:${operation}`] ??
      t[`${service}:${operation}`] ??
      t[iamPrefix] ??
      t[service] ??
      this.rates.throttleRate
    );
  }

  /** A number in [0, 1) fixed by the seed, the call's key and how many such calls came before. */
  private draw(key: string): number {
    const n = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, n);
    return hash32(`${key}#${n}`, this.seed) / 4294967296;
  }

  decide(
    service: ServiceName,
    iamPrefix: string,
    operation: string,
    caller: Caller,
    region: string,
  ): Fault | undefined {
    const hit = this.injections.find(
      (i) =>
        i.operation === operation &&
        (i.service === undefined || i.service === service || i.service === iamPrefix),
    );
    if (hit) {
      hit.remaining--;
      if (hit.remaining <= 0) this.injections.splice(this.injections.indexOf(hit), 1);
      return { kind: 'inject', errorCode: hit.errorCode };
    }
    const throttle = this.throttleRateFor(service, iamPrefix, operation);
    if (throttle <= 0 && this.rates.errorRate <= 0) return undefined;
    const r = this.draw(`${service}:${operation}:${caller.accountId}:${region}`);
    if (r < throttle) return { kind: 'throttle' };
    if (r < throttle + this.rates.errorRate) return { kind: 'unavailable' };
    return undefined;
  }
}
