/**
 * The queue slash commands wait in after their ack: nothing starts while a Slack request is in progress
 * (acks first), jobs start in order when the last one finishes, never more than the concurrency at once,
 * and a steady stream of requests delays a job by at most maxWaitMs (no starvation).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createWorkQueue } from '../../adapters/slack/work-queue';

test('jobs wait for the requests in progress, then run in order within the concurrency', async () => {
  const queue = createWorkQueue({ concurrency: 2, maxWaitMs: 60_000 });
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
  const queue = createWorkQueue({ concurrency: 4, maxWaitMs: 30 });
  queue.requestStarted(); // never finished
  const ran = queue.run(async () => 'ran');
  const failed = queue.run(async () => {
    throw new Error('boom');
  });
  await expect(ran).resolves.toBe('ran');
  await expect(failed).rejects.toThrow('boom');
  expect(queue.waiting).toBe(0);
});
