/**
 * Benchmark: Slack ack latency by store (issue 12's figure). bench/slack.ts's measurement (50 signed
 * `/cis 4.1 audit` at once against the real bot over the sandbox) run twice: on an SQLite file (WAL,
 * synchronous FULL, as the bot runs it) and on PostgreSQL (a local PostgreSQL 18 with fsync on, pool of
 * 10). On the ack path the store records the request's signature in the replay cache (one write).
 * Run alone with `npx tsx bench/store-ack.ts`; `npm run bench` calls `benchSlackAckByStore()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store';
import { openPostgresStore } from '../src/store/postgres';
import { createDatabaseOn, startPostgresServer } from '../test/support/postgres';
import { benchSlackAck, loadNote, SLACK_ACK_HISTORY, type SlackAckResult } from './slack';

export async function benchSlackAckByStore(): Promise<SlackAckResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-bench-'));
  const server = await startPostgresServer({ durable: true });
  try {
    const sqlite = await benchSlackAck({
      store: { name: 'SQLite file', open: async () => openStore(join(dir, 'cis-bot.db')) },
    });
    const url = await createDatabaseOn(server.url());
    const postgres = await benchSlackAck({
      store: {
        name: 'PostgreSQL, pool 10',
        open: () =>
          openPostgresStore({ url, poolSize: 10, connectTimeoutMs: 1000, statementTimeoutMs: 1000 }),
      },
    });
    console.log(
      `slack ack by store, 50 concurrent commands: SQLite file p50 ${sqlite.ackP50Ms} ms / p99 ${sqlite.ackP99Ms} ms (${loadNote(sqlite)}); ` +
        `PostgreSQL p50 ${postgres.ackP50Ms} ms / p99 ${postgres.ackP99Ms} ms (${loadNote(postgres)}); target p99 < 100 ms on both`,
    );
    for (const line of SLACK_ACK_HISTORY.byStore) console.log(line);
    return [sqlite, postgres];
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchSlackAckByStore().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
