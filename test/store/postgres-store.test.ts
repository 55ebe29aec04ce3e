/**
 * What is particular to the PostgreSQL store (its behaviour as a store is the contract suite's): a call
 * that cannot proceed fails fast with a StoreError saying which bound it hit (the statement timeout when
 * a row stays locked, the connection timeout when the pool is exhausted) and the store works again once
 * the obstacle is gone; the audit log is append-only against any connection; errors never carry the
 * connection string's password.
 */
import { createServer, type Socket } from 'node:net';
import type pg from 'pg';
import { StoreError } from '../../src/core/ports/store';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres';
import {
  createTestDatabase,
  createTestSchema,
  openTestPostgresStore,
  testStoreSettings,
  withClient,
} from '../support/postgres';
import { newApproval, savePlan, T0 } from './contract/context';

let database: string;
let url: string;
const opened: PostgresStore[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
});
beforeEach(async () => {
  url = await createTestSchema(database);
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});
async function open(overrides: Parameters<typeof openTestPostgresStore>[1] = {}): Promise<PostgresStore> {
  const store = await openTestPostgresStore(url, overrides);
  opened.push(store);
  return store;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the call to reject');
    },
    (error: Error) => error,
  );
}

/** Holds approval `id`'s row lock in an open transaction on a raw connection until `release()`. */
async function lockApproval(id: string): Promise<{ release(): Promise<void> }> {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked: () => void = () => {};
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const done = withClient(url, async (c: pg.Client) => {
    await c.query('BEGIN');
    await c.query('SELECT 1 FROM approvals WHERE id = $1 FOR UPDATE', [id]);
    locked();
    await released;
    await c.query('ROLLBACK');
  });
  await isLocked;
  return {
    async release() {
      release();
      await done;
    },
  };
}

describe('time bounds', () => {
  it('fails a statement that waits on a locked row at the statement timeout, then works again', async () => {
    const store = await open({ statementTimeoutMs: 300 });
    await savePlan(store, 'plan-1');
    await store.createApproval(newApproval('locked'));
    const lock = await lockApproval('locked');
    const error = await rejection(store.transitionApproval('locked', 'requested', 'approved'));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe(
      'could not move approval locked to approved: the database did not finish within 300 ms (statement timeout)',
    );
    await lock.release();
    expect(await store.getApproval('locked')).toMatchObject({ state: 'requested', version: 0 });
    expect(await store.transitionApproval('locked', 'requested', 'approved')).toMatchObject({
      state: 'approved',
    });
  });

  it('fails a call that finds every pooled connection busy at the connection timeout', async () => {
    const store = await open({ poolSize: 1, connectTimeoutMs: 200, statementTimeoutMs: 10_000 });
    await savePlan(store, 'plan-1');
    await store.createApproval(newApproval('busy'));
    const lock = await lockApproval('busy');
    // Takes the only connection and waits for the row lock.
    const waiting = store.transitionApproval('busy', 'requested', 'approved');
    const error = await rejection(store.appendAuditLog({ at: T0, kind: 'audit', detail: {} }));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe(
      'could not append "audit" to the audit log: no database connection within 200 ms ' +
        '(the server does not answer, or all 1 pooled connections are busy)',
    );
    await lock.release();
    expect(await waiting).toMatchObject({ state: 'approved' });
    expect(await store.listAuditLog()).toEqual([]);
    await store.appendAuditLog({ at: T0, kind: 'audit', detail: {} });
    expect(await store.listAuditLog()).toHaveLength(1);
  });

  it('fails at the connection timeout when the server accepts connections but never answers', async () => {
    // A listening socket that never speaks the protocol: a hung server, or a network that drops packets.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket.resume());
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const error = await rejection(
        openPostgresStore(
          testStoreSettings(`postgres://cis:pw@127.0.0.1:${port}/cis`, { connectTimeoutMs: 300 }),
        ),
      );
      expect(error).toBeInstanceOf(StoreError);
      expect(error.message).toMatch(
        /^could not migrate the database schema: no database connection within 300 ms/,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('audit log', () => {
  it('cannot be changed, deleted or truncated, even through another connection', async () => {
    const store = await open();
    await store.appendAuditLog({ at: T0, kind: 'audit', detail: { ok: true } });
    await withClient(url, async (c) => {
      await expect(c.query("UPDATE audit_log SET kind = 'x'")).rejects.toThrow(
        /append-only: entries cannot be changed/,
      );
      await expect(c.query('DELETE FROM audit_log')).rejects.toThrow(
        /append-only: entries cannot be deleted/,
      );
      await expect(c.query('TRUNCATE audit_log')).rejects.toThrow(/append-only: entries cannot be deleted/);
    });
    expect((await store.listAuditLog()).map((e) => e.detail)).toEqual([{ ok: true }]);
  });
});

describe('connection failures', () => {
  it('says what could not be done, never with the password of the connection string', async () => {
    const wrong = new URL(url);
    wrong.password = 'WRONG-pa55word';
    const refused = await rejection(openPostgresStore(testStoreSettings(wrong.toString())));
    expect(refused).toBeInstanceOf(StoreError);
    expect(refused.message).toMatch(/^could not migrate the database schema: password authentication failed/);
    expect(refused.message).not.toContain('WRONG-pa55word');

    const closedPort = await rejection(
      openPostgresStore(testStoreSettings('postgres://cis:SECRET-pw@127.0.0.1:1/cis')),
    );
    expect(closedPort.message).toMatch(
      /^could not migrate the database schema: connect ECONNREFUSED 127\.0\.0\.1:1/,
    );
    expect(closedPort.message).not.toContain('SECRET-pw');
  });

  it('rejects every call once closed, and closing twice is harmless', async () => {
    const store = await openPostgresStore(testStoreSettings(url));
    await store.close();
    await store.close();
    const error = await rejection(store.getApproval('x'));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe('could not read approval x: the store is closed');
  });
});
