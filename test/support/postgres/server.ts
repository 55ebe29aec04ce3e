/**
 * A real PostgreSQL server on 127.0.0.1 for tests and benchmarks, run by keeper.js (which holds the
 * server process and removes everything when this process ends, however it ends). jest's globalSetup
 * starts one for the whole run (see index.ts for the helpers tests use); a test that must stop and
 * restart a server (reconnection) starts its own with `startPostgresServer()`.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface PostgresServer {
  port: number;
  /** The superuser's connection string for `database` (default `postgres`), password included. */
  url(database?: string): string;
  /** Shuts the server down (fast shutdown: sessions end), keeping its data. */
  stop(): Promise<void>;
  /** Starts it again after `stop()`, on the same port. */
  start(): Promise<void>;
  /** Shuts it down for good and removes its files. */
  close(): Promise<void>;
}

interface KeeperEvent {
  event: 'ready' | 'stopped' | 'failed';
  port?: number;
  user?: string;
  password?: string;
  message?: string;
}

const KEEPER = join(__dirname, 'keeper.js');

export interface StartPostgresOptions {
  /** fsync and synchronous commit on, as in production (benchmarks); default off (tests). */
  durable?: boolean;
}

export async function startPostgresServer(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [KEEPER, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const waiting: Array<(event: KeeperEvent) => void> = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as KeeperEvent;
    waiting.shift()?.(event);
  });
  child.on('exit', (code) => {
    for (const settle of waiting.splice(0))
      settle({ event: 'failed', message: `keeper exited (${code}): ${stderr}` });
  });
  const next = (expected: KeeperEvent['event']) =>
    new Promise<KeeperEvent>((resolve, reject) => {
      waiting.push((event) =>
        event.event === expected
          ? resolve(event)
          : reject(new Error(`the test PostgreSQL server failed: ${event.message ?? event.event}`)),
      );
    });
  const ready = await next('ready');
  const { port, user, password } = ready as Required<KeeperEvent>;
  return {
    port,
    url: (database = 'postgres') =>
      `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    async stop() {
      const stopped = next('stopped');
      child.stdin.write('stop\n');
      await stopped;
    },
    async start() {
      const started = next('ready');
      child.stdin.write('start\n');
      await started;
    },
    async close() {
      if (child.exitCode === null) child.stdin.end();
      await exited;
    },
  };
}
