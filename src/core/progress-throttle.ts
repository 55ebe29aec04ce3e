/**
 * Shows progress at a platform's pace: chat platforms let one message be updated about once a second
 * (Slack's chat.update and Teams' updateActivity are rate limited per message), while an audit of 1,000
 * accounts reports a thousand times. The latest card is rendered at most once per interval, never two
 * renders at once, the newest always winning; `close()` drops what is pending and waits for a render in
 * flight, so the final result put in place afterwards is never overwritten by a late progress update.
 * A render that fails is reported to `onError` and does not stop the next ones. Nothing is shown before
 * `firstAfterMs`: a quick command answers with its result alone, only a long one shows progress.
 */
import type { Card } from './cards';

export interface ThrottledProgress {
  /** Queues the newest card (returns at once). */
  push(card: Card): void;
  /** Stops: pending cards are dropped, a render in flight is awaited. */
  close(): Promise<void>;
}

export interface ThrottleOptions {
  /** At most one render per this many ms. */
  intervalMs: number;
  /** The first render not before this many ms from now (default: at once). */
  firstAfterMs?: number;
  onError?: (error: unknown) => void;
  now?: () => number;
}

export function throttleProgress(
  render: (card: Card) => Promise<void>,
  options: ThrottleOptions,
): ThrottledProgress {
  const { intervalMs, onError = () => undefined, now = Date.now } = options;
  let pending: Card | undefined;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  // As if a render had started so that the next one may start `firstAfterMs` from now.
  let lastStart = now() + (options.firstAfterMs ?? 0) - intervalMs;
  let closed = false;

  const flush = () => {
    timer = undefined;
    if (closed || inFlight || !pending) return;
    const card = pending;
    pending = undefined;
    lastStart = now();
    inFlight = render(card)
      .catch(onError)
      .finally(() => {
        inFlight = undefined;
        schedule();
      });
  };

  function schedule(): void {
    if (closed || timer || inFlight || !pending) return;
    const wait = Math.max(0, lastStart + intervalMs - now());
    timer = setTimeout(flush, wait);
    timer.unref?.();
  }

  return {
    push(card) {
      if (closed) return;
      pending = card;
      schedule();
    },
    async close() {
      closed = true;
      pending = undefined;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
  };
}
