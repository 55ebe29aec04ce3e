/**
 * One-shot retries at a lease's expiry: a run found claimed but not completed by another owner (which may
 * have died after claiming) is settled again once its lease ends, so a crash does not lose the digest
 * (see catch-up.ts). At most one pending retry per run and process.
 */

import type { Logger } from '../core/ports/logger';
import { runKey } from './catch-up';
import { errorFields } from './log';
import type { ScheduleSettings } from './settings';

export interface LeaseRetryDeps {
  log: Logger;
  clock: { now(): Date };
  setTimer: (callback: () => void, delayMs: number) => () => void;
  /** Settles the run again (catch-up.ts's `settle`). */
  settle(schedule: ScheduleSettings, fireTime: Date): Promise<unknown>;
  /** Counts the retry among the runs in progress that `stop()` and `idle()` wait for. */
  track(work: Promise<unknown>): unknown;
  /** The scheduler was stopped: arm nothing, and let armed retries do nothing. */
  stopped(): boolean;
}

export interface LeaseRetries {
  retryAt(schedule: ScheduleSettings, fireTime: Date, at: Date, holder: { owner: string }): void;
  /** Cancels every pending retry. */
  cancelAll(): void;
}

export function realTimer(callback: () => void, delayMs: number): () => void {
  // Node caps delays at 2^31-1 ms; leases are minutes. Unref: a pending retry must not keep a CLI alive.
  const handle = setTimeout(callback, Math.min(Math.max(0, delayMs), 2_147_483_647));
  handle.unref();
  return () => clearTimeout(handle);
}

export function leaseRetries(deps: LeaseRetryDeps): LeaseRetries {
  const { log, clock, setTimer, track } = deps;
  /** Pending lease-expiry retries by `schedule|key`, with their cancel functions. */
  const retries = new Map<string, () => void>();

  function retryAt(schedule: ScheduleSettings, fireTime: Date, at: Date, holder: { owner: string }): void {
    const key = runKey(fireTime, schedule.timezone);
    const id = `${schedule.name}|${key}`;
    if (deps.stopped() || retries.has(id)) return;
    log.info('digest run claimed but not completed by another owner; checking again when its lease ends', {
      schedule: schedule.name,
      fireTime: key,
      holder: holder.owner,
      retryAt: at.toISOString(),
    });
    const cancel = setTimer(() => {
      retries.delete(id);
      if (deps.stopped()) return;
      void track(
        deps.settle(schedule, fireTime).catch((error: unknown) => {
          log.error('digest retry failed', { schedule: schedule.name, fireTime: key, ...errorFields(error) });
        }),
      );
    }, at.getTime() - clock.now().getTime());
    retries.set(id, cancel);
  }

  return {
    retryAt,
    cancelAll() {
      for (const cancel of retries.values()) cancel();
      retries.clear();
    },
  };
}
