/** Two real processes race to claim the same scheduled runs over one database file. */
import { join } from 'node:path';
import { openStore } from '../../src/store';
import { killWorkers, startWorker, tempDir } from './helpers';

// A test that fails half-way must not leave a worker waiting for its "go".
afterEach(killWorkers);

const tmp = tempDir();
afterAll(() => tmp.remove());

const WORKER = join(__dirname, 'fixtures', 'claim-worker.ts');

it('two processes open one fresh file together, and each scheduled run is claimed by exactly one', async () => {
  const db = tmp.file('schedule.db');
  // No set-up: both workers create and migrate the fresh file at the same time.
  const fireTimes = Array.from({ length: 300 }, (_, i) => new Date(Date.UTC(2025, 2, 1, 7, i)).toISOString());
  const workers = ['p1', 'p2'].map((owner) =>
    startWorker(WORKER, { db, schedule: 'daily', owner, fireTimes, reverse: owner === 'p2' }),
  );
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  const [r1, r2] = (await Promise.all(workers.map((w) => w.result))) as Array<{ won: string[] }>;
  const won1 = r1?.won ?? [];
  const won2 = r2?.won ?? [];
  expect(won1.filter((t) => won2.includes(t))).toEqual([]);
  expect([...won1, ...won2].sort()).toEqual(fireTimes);

  const store = openStore(db);
  for (const t of fireTimes) {
    const run = await store.getScheduleRun('daily', t);
    expect(run?.attempts).toBe(1);
    expect(run?.summary).toEqual({ by: won1.includes(t) ? 'p1' : 'p2' });
  }
  // Completed runs are never claimed again, whoever asks and however late.
  expect(
    await store.claimScheduleRun('daily', fireTimes[0] as string, 'p3', 1000, new Date('2030-01-01')),
  ).toBe(false);
  await store.close();
  console.log(`schedule lease race: p1 won ${won1.length}, p2 won ${won2.length} of ${fireTimes.length}`);
});
