/**
 * PostgreSQL for tests: the run's shared server (started by jest's globalSetup), a new database per test
 * file or a new schema per test, and stores opened on them with test-friendly settings. Reuse these in
 * any test that needs Postgres (multi-replica tests: open several stores on one URL):
 *
 *   const url = await createTestDatabase();          // a new, empty database: its URL
 *   const store = await openTestPostgresStore(url);  // migrated, short timeouts
 *   describeStoreContract('PostgreSQL', freshPostgresStore);
 */
import pg from 'pg';
import { openPostgresStore, type PostgresSettings, type PostgresStore } from '../../../src/store/postgres';
import { URL_VARIABLE } from './global-setup';

export { type PostgresServer, startPostgresServer } from './server';

/** The shared server's superuser URL. */
export function testPostgresUrl(): string {
  const url = process.env[URL_VARIABLE];
  if (!url) {
    throw new Error(
      `${URL_VARIABLE} is not set: run the tests through jest (its globalSetup starts PostgreSQL), ` +
        'or point the variable at a server you run.',
    );
  }
  return url;
}

let counter = 0;
function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs `work` on one raw connection to `url` (for what a test does behind the store's back). */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Runs `sql` (a lock: `SELECT … FOR UPDATE`, `LOCK TABLE …`) in a transaction on a raw connection to
 * `url` and keeps the transaction open, its locks held, until `release()`.
 */
export async function holdLock(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<{ release(): Promise<void> }> {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked: () => void = () => {};
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const done = withClient(url, async (c) => {
    await c.query('BEGIN');
    await c.query(sql, values);
    locked();
    await released;
    await c.query('ROLLBACK');
  });
  await Promise.race([isLocked, done]);
  return {
    async release() {
      release();
      await done;
    },
  };
}

/** The rows of one statement run on a raw connection to `url`. */
export async function queryRows<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  return withClient(url, async (c) => (await c.query<R>(text, values)).rows);
}

/** A new, empty database on the shared server; its URL. */
export function createTestDatabase(prefix = 'cisbot'): Promise<string> {
  return createDatabaseOn(testPostgresUrl(), prefix);
}

/** A new, empty database on the server of `serverUrl` (a superuser's); its URL. */
export async function createDatabaseOn(serverUrl: string, prefix = 'cisbot'): Promise<string> {
  const name = uniqueName(prefix);
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, empty schema in the database at `url`; the URL that works in it (its search_path). */
export async function createTestSchema(url: string): Promise<string> {
  const name = uniqueName('s');
  await withClient(url, (c) => c.query(`CREATE SCHEMA "${name}"`));
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${name}`);
  return scoped.toString();
}

/** Store settings for tests: a small pool and timeouts short enough to fail fast, long enough under load. */
export function testStoreSettings(url: string, overrides: Partial<PostgresSettings> = {}): PostgresSettings {
  return { url, poolSize: 5, connectTimeoutMs: 5000, statementTimeoutMs: 5000, ...overrides };
}

export function openTestPostgresStore(
  url: string,
  overrides: Partial<PostgresSettings> = {},
): Promise<PostgresStore> {
  return openPostgresStore(testStoreSettings(url, overrides));
}

let fileDatabase: Promise<string> | undefined;

/**
 * A store on a new, empty schema (in one database per test file) and a way to open more handles on it,
 * as the store contract suite wants them.
 */
export async function freshPostgresStore(): Promise<{
  store: PostgresStore;
  openPeer(): Promise<PostgresStore>;
}> {
  fileDatabase ??= createTestDatabase();
  const url = await createTestSchema(await fileDatabase);
  return { store: await openTestPostgresStore(url), openPeer: () => openTestPostgresStore(url) };
}
