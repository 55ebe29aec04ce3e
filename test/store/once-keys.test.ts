/**
 * rememberOnce on SQLite: the once-only keys the Slack adapter's replay protection keeps in the store
 * survive a restart, are purged from the file once expired, and hold between real processes (the
 * behaviour of any store is in the contract suite).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, openStore } from '../../src/store';
import { SqliteConnection } from '../../src/store/sqlite/connection';
import { SqliteOnceKeyStore } from '../../src/store/sqlite/once-keys';
import { killWorkers, startWorker, tempDir } from './helpers';

// A test that fails half-way must not leave a worker waiting for its "go".
afterEach(killWorkers);

const tmp = tempDir();
afterAll(() => tmp.remove());

const WORKER = join(__dirname, 'fixtures', 'once-worker.ts');
const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const in10min = at(600).toISOString();

describe('rememberOnce', () => {
  it('remembers keys across store instances on one file and across a reopen (restart)', async () => {
    const path = tmp.file('once.db');
    const a = openStore(path);
    const b = openStore(path);
    expect(await a.rememberOnce('k1', in10min, T0)).toBe(true);
    expect(await b.rememberOnce('k1', in10min, at(1))).toBe(false);
    expect(await b.rememberOnce('k2', in10min, at(1))).toBe(true);
    await a.close();
    await b.close();
    const restarted = openStore(path);
    expect(await restarted.rememberOnce('k1', in10min, at(2))).toBe(false);
    expect(await restarted.rememberOnce('k2', in10min, at(2))).toBe(false);
    await restarted.close();
  });

  it('purges keys past their expiry, after which a key counts as new', async () => {
    const path = tmp.file('purge.db');
    const store = openStore(path);
    expect(await store.rememberOnce('old', at(60).toISOString(), T0)).toBe(true);
    expect(await store.rememberOnce('young', in10min, T0)).toBe(true);
    expect(await store.rememberOnce('other', in10min, at(61))).toBe(true);
    await store.close();
    const db = new Database(path, { readonly: true });
    const keys = (db.prepare('SELECT key FROM once_keys ORDER BY key').all() as { key: string }[]).map(
      (r) => r.key,
    );
    db.close();
    expect(keys).toEqual(['other', 'young']);
    const again = openStore(path);
    expect(await again.rememberOnce('old', in10min, at(62))).toBe(true);
    expect(await again.rememberOnce('young', in10min, at(62))).toBe(false);
    await again.close();
  });

  it('two processes presenting the same keys at once: each key is first for exactly one', async () => {
    const db = tmp.file('race.db');
    // Both workers create and migrate the fresh file at the same time.
    const keys = Array.from({ length: 300 }, (_, i) => `slack:v0:${i.toString(16).padStart(64, '0')}`);
    const workers = ['p1', 'p2'].map((name) => startWorker(WORKER, { db, keys, reverse: name === 'p2' }));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const [r1, r2] = (await Promise.all(workers.map((w) => w.result))) as Array<{ first: string[] }>;
    const first1 = r1?.first ?? [];
    const first2 = r2?.first ?? [];
    expect(first1.filter((k) => first2.includes(k))).toEqual([]);
    expect([...first1, ...first2].sort()).toEqual([...keys].sort());
    console.log(
      `once-key race: p1 first on ${first1.length}, p2 first on ${first2.length} of ${keys.length}`,
    );
  });

  it('relaxes durability for the replay cache only: the connection is back to synchronous FULL after it', async () => {
    const path = tmp.file('sync.db');
    await openStore(path).close();
    const db = new Database(path);
    db.pragma('synchronous = FULL');
    const connection = new SqliteConnection(db, () => T0);
    const onceKeys = new SqliteOnceKeyStore(connection);
    expect(await onceKeys.rememberOnce('k', in10min, T0)).toBe(true);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL: decisions still survive a power cut
    // A failure inside (an expiry that is not a time is refused before; a closed table here) restores it too.
    db.exec('DROP TABLE once_keys');
    await expect(onceKeys.rememberOnce('k2', in10min, at(1))).rejects.toThrow(/once-only key/);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });

  it('is created by migration 3 on a database written before it', async () => {
    const path = tmp.file('v2.db');
    await openStore(path, { migrations: MIGRATIONS.slice(0, 2) }).close();
    const store = openStore(path);
    expect(await store.rememberOnce('k', in10min, T0)).toBe(true);
    expect(await store.rememberOnce('k', in10min, T0)).toBe(false);
    await store.close();
  });
});
