/**
 * Benchmark: the Slack replay check itself (issue 16), the one store write before every ack, measured
 * apart from the rest of the ack path so that a loaded machine (CPU contention) does not hide it: 50
 * signatures remembered at once, as a burst of 50 commands does, on an SQLite file and on PostgreSQL
 * (fsync on, pool 10), with the statement the store runs (one upsert, no fsync: see
 * src/store/sqlite/once-keys.ts and src/store/postgres/once-keys.ts) and, for comparison, the statement it ran before issue 16 (SQLite: a DELETE of
 * expired keys then INSERT OR IGNORE in an IMMEDIATE transaction with synchronous FULL; PostgreSQL: the
 * same upsert with a synchronous commit). Prints the time the 50 took and the slowest single call.
 * Run alone with `npx tsx bench/replay-check.ts`; `npm run bench` calls `benchReplayCheck()`.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { OnceKeyStore } from '../src/core/ports/store';
import { openStore } from '../src/store';
import { openPostgresStore } from '../src/store/postgres';
import { createDatabaseOn, startPostgresServer } from '../test/support/postgres';

const BURST = 50;
const ROUNDS = 5;

type Remember = (key: string, expiresAt: string, now: Date) => Promise<boolean>;

/** The 50 at once, ROUNDS times: total ms per burst (median) and the slowest call seen. */
async function burst(remember: Remember): Promise<{ burstMs: number; slowestMs: number }> {
  const bursts: number[] = [];
  let slowest = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const now = new Date();
    const expires = new Date(now.getTime() + 600_000).toISOString();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: BURST }, async () => {
        const t = performance.now();
        await remember(`slack:v0:${randomBytes(32).toString('hex')}`, expires, now);
        slowest = Math.max(slowest, performance.now() - t);
      }),
    );
    bursts.push(performance.now() - t0);
  }
  bursts.sort((a, b) => a - b);
  const round1 = (n: number) => Math.round(n * 10) / 10;
  return { burstMs: round1(bursts[Math.floor(ROUNDS / 2)] as number), slowestMs: round1(slowest) };
}

/** The SQLite statement before issue 16, on its own connection to the same file. */
function sqliteBefore(path: string): { remember: Remember; close(): void } {
  const db = new Database(path);
  db.pragma('synchronous = FULL');
  const purge = db.prepare('DELETE FROM once_keys WHERE expires_at_ms <= ?');
  const insert = db.prepare('INSERT OR IGNORE INTO once_keys (key, expires_at_ms, seen_at) VALUES (?, ?, ?)');
  const tx = db.transaction((key: string, expiresMs: number, now: Date) => {
    purge.run(now.getTime());
    return insert.run(key, expiresMs, now.toISOString()).changes === 1;
  });
  return {
    remember: async (key, expiresAt, now) => tx.immediate(key, Date.parse(expiresAt), now),
    close: () => db.close(),
  };
}

/** The PostgreSQL statement before issue 16 (a synchronous commit), on a pool of 10. */
function postgresBefore(url: string): { remember: Remember; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  return {
    remember: async (key, expiresAt, now) => {
      const r = await pool.query(
        `WITH purged AS (
           DELETE FROM once_keys WHERE key IN (
             SELECT key FROM once_keys WHERE expires_at_ms <= $3 AND key <> $1 LIMIT 100 FOR UPDATE SKIP LOCKED))
         INSERT INTO once_keys (key, expires_at_ms, seen_at) VALUES ($1, $2, $4)
         ON CONFLICT (key) DO UPDATE SET expires_at_ms = EXCLUDED.expires_at_ms, seen_at = EXCLUDED.seen_at
           WHERE once_keys.expires_at_ms <= $3`,
        [key, Date.parse(expiresAt), now.getTime(), now.toISOString()],
      );
      return r.rowCount === 1;
    },
    close: () => pool.end(),
  };
}

export async function benchReplayCheck(log: (line: string) => void = console.log) {
  const load = () =>
    `load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`;
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-bench-'));
  const server = await startPostgresServer({ durable: true });
  try {
    const path = join(dir, 'cis-bot.db');
    const store = openStore(path);
    const before = sqliteBefore(path);
    // Alternating, so both see the same machine.
    const sqliteOld = await burst(before.remember);
    const sqliteNew = await burst((k, e, n) => (store as OnceKeyStore).rememberOnce(k, e, n));
    const sqliteOld2 = await burst(before.remember);
    const sqliteNew2 = await burst((k, e, n) => (store as OnceKeyStore).rememberOnce(k, e, n));
    before.close();
    await store.close();
    log(
      `replay check, ${BURST} at once, SQLite file: before issue 16 ${sqliteOld.burstMs} / ${sqliteOld2.burstMs} ms per burst (slowest call ${Math.max(sqliteOld.slowestMs, sqliteOld2.slowestMs)} ms); ` +
        `now ${sqliteNew.burstMs} / ${sqliteNew2.burstMs} ms (slowest ${Math.max(sqliteNew.slowestMs, sqliteNew2.slowestMs)} ms); ${load()}`,
    );
    const url = await createDatabaseOn(server.url());
    const pgStore = await openPostgresStore({
      url,
      poolSize: 10,
      connectTimeoutMs: 1000,
      statementTimeoutMs: 1000,
    });
    const pgBefore = postgresBefore(url);
    const pgOld = await burst(pgBefore.remember);
    const pgNew = await burst((k, e, n) => pgStore.rememberOnce(k, e, n));
    const pgOld2 = await burst(pgBefore.remember);
    const pgNew2 = await burst((k, e, n) => pgStore.rememberOnce(k, e, n));
    await pgBefore.close();
    await pgStore.close();
    log(
      `replay check, ${BURST} at once, PostgreSQL (fsync on, pool 10): before issue 16 ${pgOld.burstMs} / ${pgOld2.burstMs} ms per burst (slowest call ${Math.max(pgOld.slowestMs, pgOld2.slowestMs)} ms); ` +
        `now ${pgNew.burstMs} / ${pgNew2.burstMs} ms (slowest ${Math.max(pgNew.slowestMs, pgNew2.slowestMs)} ms); ${load()}`,
    );
    return { sqliteOld, sqliteNew, pgOld, pgNew };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchReplayCheck().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
