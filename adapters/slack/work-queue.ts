/**
 * The in-memory queue of work accepted after Slack's ack (an audit, a status, a history: read-only, or
 * only asking for an approval): nothing of it runs while requests are being acknowledged. A job starts
 * when no Slack request is in progress (the adapter reports them with `requestStarted` and
 * `requestFinished`) AND none has arrived for `quietMs`, or after `maxWaitMs` under a steady stream of
 * requests; at most `concurrency` run at once, and they start one per turn of the event loop. So a burst
 * of slash commands is acknowledged first (Slack allows three seconds; we aim under 100 ms), and the
 * audits, AWS calls and Slack posts of the first commands do not crowd out the acks of the next.
 *
 * Why a quiet time and one start per turn (measured with bench/slack.ts, 50 commands at once): the
 * requests of a burst reach the bot one after the other, each acknowledged in about a millisecond, so
 * "no request in progress" is true between almost every two of them; the queue then started up to
 * `concurrency` jobs in one turn of the event loop (each builds its context and its first Slack post:
 * milliseconds of CPU), and the event loop stayed blocked for 70-100 ms while the rest of the burst waited
 * for its acks (p99 over 200 ms). A job now waits until the burst is over, and a request arriving while
 * jobs are being started is read between two starts.
 *
 * A crash loses at most the replies of queued commands (the user sees no answer and can ask again),
 * never a decision: button clicks do not wait here (their decision is committed before their ack).
 */
export interface WorkQueue {
  /** Runs `job` later, in order, within the concurrency; resolves or rejects as the job does. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** A Slack request arrived: queued jobs wait until none is in progress and the requests are quiet. */
  requestStarted(): void;
  requestFinished(): void;
  /** Jobs waiting to start (not counting those running). */
  readonly waiting: number;
}

export interface WorkQueueOptions {
  concurrency: number;
  /** The longest a job waits for a quiet moment before it starts anyway (default 250 ms). */
  maxWaitMs?: number;
  /**
   * How long no request must have arrived before a job starts (default 30 ms): longer than the gaps
   * between the requests of a burst, short against the seconds an audit takes.
   */
  quietMs?: number;
}

export const DEFAULT_MAX_WAIT_MS = 250;
export const DEFAULT_QUIET_MS = 30;

export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
  const waiting: Array<{ start: () => void; since: number }> = [];
  let running = 0;
  let inFlight = 0;
  let lastArrival = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Number.POSITIVE_INFINITY;
  /** A start is scheduled for the next turn (setImmediate): one job per turn. */
  let starting = false;

  /** Calls next() in `inMs` (or earlier, if it is already due earlier). */
  const wake = (inMs: number) => {
    const due = performance.now() + inMs;
    if (timer !== undefined && timerDue <= due) return;
    if (timer !== undefined) clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(
      () => {
        timer = undefined;
        timerDue = Number.POSITIVE_INFINITY;
        next();
      },
      Math.max(1, Math.ceil(inMs)),
    );
    timer.unref();
  };

  /** Starts the first waiting job if it may start now, on the next turn; otherwise wakes up when it may. */
  function next(): void {
    if (starting || running >= options.concurrency || waiting.length === 0) return;
    const first = waiting[0] as { start: () => void; since: number };
    const now = performance.now();
    const waited = now - first.since;
    if (waited < maxWaitMs) {
      // While a request is in progress, its end (requestFinished) calls next again; otherwise wait for quiet.
      if (inFlight > 0) {
        wake(maxWaitMs - waited);
        return;
      }
      const quietFor = now - lastArrival;
      if (quietFor < quietMs) {
        wake(Math.min(quietMs - quietFor, maxWaitMs - waited));
        return;
      }
    }
    starting = true;
    // On a later turn of the event loop, after the poll phase: the request that queued it has sent its
    // ack by then, and requests that arrived meanwhile are counted before the next start.
    setImmediate(() => {
      starting = false;
      // Requests arrived in the poll phase just gone: the job waits for them, unless it waited too long.
      if (performance.now() - first.since < maxWaitMs && (inFlight > 0 || lastArrival > now)) {
        next();
        return;
      }
      if (waiting[0] !== first) {
        next();
        return;
      }
      waiting.shift();
      running += 1;
      first.start();
      next();
    });
  }

  return {
    get waiting() {
      return waiting.length;
    },
    requestStarted() {
      inFlight += 1;
      lastArrival = performance.now();
    },
    requestFinished() {
      inFlight = Math.max(0, inFlight - 1);
      if (inFlight === 0) next();
    },
    run<T>(job: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({
          since: performance.now(),
          start: () => {
            Promise.resolve()
              .then(job)
              .then(resolve, reject)
              .finally(() => {
                running -= 1;
                next();
              });
          },
        });
        next();
      });
    },
  };
}
