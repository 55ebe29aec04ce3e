/**
 * The in-memory queue of read-only work accepted after Slack's ack (an audit, a status, a history):
 * nothing of it runs in the request that was acknowledged. Each job starts on a later turn of the event
 * loop (setImmediate), and at most `concurrency` run at once, so a burst of slash commands is
 * acknowledged first (Slack allows three seconds; we aim under 100 ms) and the audits, AWS calls and Slack
 * posts of the first commands do not crowd out the acks of the next. A crash loses at most the replies of
 * queued commands (the user sees no answer and can ask again), never a decision: button clicks do not go
 * through here.
 */
export interface WorkQueue {
  /** Runs `job` later, in order, within the concurrency; resolves or rejects as the job does. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Jobs waiting to start (not counting those running). */
  readonly waiting: number;
}

export function createWorkQueue(concurrency: number): WorkQueue {
  const waiting: Array<() => void> = [];
  let running = 0;
  const next = () => {
    while (running < concurrency && waiting.length > 0) {
      running += 1;
      const start = waiting.shift() as () => void;
      setImmediate(start);
    }
  };
  return {
    get waiting() {
      return waiting.length;
    },
    run<T>(job: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push(() => {
          Promise.resolve()
            .then(job)
            .then(resolve, reject)
            .finally(() => {
              running -= 1;
              next();
            });
        });
        next();
      });
    },
  };
}
