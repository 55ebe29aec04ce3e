/**
 * The queue slash commands wait in after their ack: nothing starts while a Slack request is in progress
 * or while requests keep arriving (acks first), jobs start in order, one per turn of the event loop (a
 * request arriving meanwhile stops the rest), never more than the concurrency at once, and a steady stream
 * of requests delays a job by at most maxWaitMs (no starvation).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createWorkQueue } from '../../adapters/slack/work-queue';

test('jobs wait for the requests in progress, then run in order within the concurrency', async () => {
  const queue = createWorkQueue({ concurrency: 2, maxWaitMs: 60_000, quietMs: 0 });
  const started: number[] = [];
  let running = 0;
  let most = 0;
  const release: Array<() => void> = [];
  const job = (i: number) => () =>
    new Promise<number>((resolve) => {
      started.push(i);
      running += 1;
      most = Math.max(most, running);
      release.push(() => {
        running -= 1;
        resolve(i);
      });
    });
  queue.requestStarted();
  const done = [1, 2, 3].map((i) => queue.run(job(i)));
  await sleep(20);
  expect(started).toEqual([]);
  expect(queue.waiting).toBe(3);
  queue.requestFinished();
  await sleep(20);
  expect(started).toEqual([1, 2]);
  release.shift()?.();
  await sleep(20);
  expect(started).toEqual([1, 2, 3]);
  for (const r of release.splice(0)) r();
  expect(await Promise.all(done)).toEqual([1, 2, 3]);
  expect(most).toBe(2);
});

test('a job waits at most maxWaitMs under a steady stream of requests, and its failure is its own', async () => {
  const queue = createWorkQueue({ concurrency: 4, maxWaitMs: 30, quietMs: 60_000 });
  queue.requestStarted(); // never finished
  const ran = queue.run(async () => 'ran');
  const failed = queue.run(async () => {
    throw new Error('boom');
  });
  await expect(ran).resolves.toBe('ran');
  await expect(failed).rejects.toThrow('boom');
  expect(queue.waiting).toBe(0);
});

test('a job waits until no request has arrived for quietMs, not only until none is in progress', async () => {
  const queue = createWorkQueue({ concurrency: 4, maxWaitMs: 60_000, quietMs: 60_000 });
  let started = false;
  queue.requestStarted();
  queue.requestFinished();
  void queue.run(async () => {
    started = true;
  });
  await sleep(30);
  expect(started).toBe(false);
  expect(queue.waiting).toBe(1);
});

test('a request arriving while jobs are being started stops the starts until it is finished', async () => {
  const queue = createWorkQueue({ concurrency: 3, maxWaitMs: 60_000, quietMs: 0 });
  const started: number[] = [];
  const done = [1, 2, 3].map((i) =>
    queue.run(async () => {
      started.push(i);
      // As if a Slack request was read in the same turn as the first job started.
      if (i === 1) queue.requestStarted();
      return i;
    }),
  );
  await sleep(30);
  expect(started).toEqual([1]);
  queue.requestFinished();
  expect(await Promise.all(done)).toEqual([1, 2, 3]);
  expect(started).toEqual([1, 2, 3]);
});
