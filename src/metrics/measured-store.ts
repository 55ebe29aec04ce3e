/**
 * The store, measured: every store port method's latency and result per store (sqlite, postgres), and
 * every recorded audit run as audits and findings. A decorator over whichever store is open, so both
 * stores (and methods a new port adds) are measured the same way with nothing to change in either; and
 * `recordAuditRun` is the one place every audit passes through (chat, schedules, re-audits, the CLI's demo),
 * as `saveException` and `revokeException` are for exceptions granted and revoked (chat and CLI alike).
 */
import { performance } from 'node:perf_hooks';
import type { Metrics } from '../core/ports/metrics';
import type { AuditRunRecord, ExceptionRecord, NewException, Store } from '../core/ports/store';

type AnyMethod = (...args: unknown[]) => unknown;

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** `store` with its methods timed into `metrics` as `storeKind`; `close` and non-methods pass through. */
export function measuredStore<S extends Store>(store: S, metrics: Metrics, storeKind: string): S {
  const wrapped = new Map<string, AnyMethod>();
  const measure = (operation: string, method: AnyMethod): AnyMethod =>
    function measured(...args: unknown[]) {
      const started = performance.now();
      const done = (ok: boolean) =>
        metrics.storeOperation({
          store: storeKind,
          operation,
          ok,
          durationMs: performance.now() - started,
        });
      let result: unknown;
      try {
        result = method.apply(store, args);
      } catch (error) {
        done(false);
        throw error;
      }
      if (!isPromise(result)) {
        done(true);
        return result;
      }
      return result.then(
        (value) => {
          done(true);
          if (operation === 'recordAuditRun') recordAudit(metrics, args[0] as AuditRunRecord);
          else if (operation === 'saveException') recordGrant(metrics, args[0] as NewException, value);
          else if (operation === 'revokeException') recordRevocation(metrics, value);
          return value;
        },
        (error: unknown) => {
          done(false);
          throw error;
        },
      );
    };
  return new Proxy(store, {
    get(target, prop) {
      // The target itself as `this`: the stores keep their connection in private members.
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (typeof prop !== 'string' || prop === 'close' || prop === 'constructor') {
        return (value as AnyMethod).bind(target);
      }
      let method = wrapped.get(prop);
      if (!method) {
        method = measure(prop, value as AnyMethod);
        wrapped.set(prop, method);
      }
      return method;
    },
  });
}

function recordAudit(metrics: Metrics, run: AuditRunRecord): void {
  metrics.auditRecorded({
    control: run.control,
    trigger: run.trigger,
    accounts: run.accounts.map((a) => ({ accountId: a.accountId, status: a.status })),
  });
}

/** `saveException` is idempotent by id: a grant is new only when the stored record is the one just given. */
function recordGrant(metrics: Metrics, given: NewException, stored: unknown): void {
  const record = stored as ExceptionRecord | undefined;
  if (record?.grantedAt !== given.grantedAt) return;
  metrics.exceptionChanged({ control: given.control, accountId: given.accountId, change: 'granted' });
}

/** `revokeException` answers the record only to the one revoker whose compare-and-set won. */
function recordRevocation(metrics: Metrics, revoked: unknown): void {
  const record = revoked as ExceptionRecord | undefined;
  if (!record) return;
  metrics.exceptionChanged({ control: record.control, accountId: record.accountId, change: 'revoked' });
}
