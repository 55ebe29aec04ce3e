/**
 * The in-memory queue of work accepted after Slack's ack (an audit, a status, a history: read-only, or
 * only asking for an approval): nothing of it runs while requests are being acknowledged. A job starts
 * when no Slack request is in progress (the adapter reports them with `requestStarted` and
 * `requestFinished`), or after `maxWaitMs` under a steady stream of requests, and at most `concurrency`
 * run at once; so a burst of slash commands is acknowledged first (Slack allows three seconds; we aim
 * under 100 ms), and the audits, AWS calls and Slack posts of the first commands do not crowd out the
 * acks of the next. A crash loses at most the replies of queued commands (the user sees no answer and
 * can ask again), never a decision: button clicks do not wait here.
 */
export interface WorkQueue {
  /** Runs `job` later, in order, within the concurrency; resolves or rejects as the job does. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** A Slack request arrived: queued jobs wait until none is in progress. */
  requestStarted(): void;
  requestFinished(): void;
  /** Jobs waiting to start (not counting those running). */
  readonly waiting: number;
}

export interface WorkQueueOptions {
  concurrency: number;
  /** The longest a job waits for a quiet moment before it starts anyway (default 250 ms). */
  maxWaitMs?: number;
}

export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const maxWaitMs = options.maxWaitMs ?? 250;
  const waiting: Array<{ start: () => void; since: number }> = [];
  let running = 0;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    while (running < options.concurrency && waiting.length > 0) {
      const first = waiting[0] as { start: () => void; since: number };
      const waited = performance.now() - first.since;
      if (inFlight > 0 && waited < maxWaitMs) {
        timer = setTimeout(next, maxWaitMs - waited);
        timer.unref();
        return;
      }
      waiting.shift();
      running += 1;
      // On a later turn of the event loop: the request that queued it has sent its ack by then.
      setImmediate(first.start);
    }
  };
  return {
    get waiting() {
      return waiting.length;
    },
    requestStarted() {
      inFlight += 1;
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
