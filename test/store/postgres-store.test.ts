/**
 * What is particular to the PostgreSQL store (its behaviour as a store is the contract suite's): a call
 * that cannot proceed fails fast with a StoreError saying which bound it hit (the statement timeout when
 * a row stays locked, the connection timeout when the pool is exhausted) and the store works again once
 * the obstacle is gone; the audit log is append-only against any connection; errors never carry the
 * connection string's password.
 */
import { createServer, type Socket } from 'node:net';
import { StoreError } from '../../src/core/ports/store';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres';
import {
  createTestDatabase,
  createTestSchema,
  holdLock,
  openTestPostgresStore,
  testStoreSettings,
  withClient,
} from '../support/postgres';
import { at, newApproval, savePlan, T0 } from './contract/context';

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
function lockApproval(id: string): Promise<{ release(): Promise<void> }> {
  return holdLock(url, 'SELECT 1 FROM approvals WHERE id = $1 FOR UPDATE', [id]);
}

/** Holds `table`'s ACCESS EXCLUSIVE lock: every statement on it waits, holding its pooled connection. */
function lockTable(table: string): Promise<{ release(): Promise<void> }> {
  return holdLock(url, `LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
}

const RUN = { id: 'run-1', control: '4.1', startedAt: T0, finishedAt: T0, trigger: 'chat', accounts: [] };

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
    const lock = await lockTable('audit_runs');
    // Takes the only pooled connection and waits for the table lock.
    const waiting = store.recordAuditRun(RUN);
    const error = await rejection(store.appendAuditLog({ at: T0, kind: 'audit', detail: {} }));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe(
      'could not append "audit" to the audit log: no database connection within 200 ms ' +
        '(the server does not answer, or all 1 pooled connections are busy)',
    );
    await lock.release();
    await waiting;
    expect(await store.getAuditRun('run-1')).toMatchObject({ id: 'run-1' });
    expect(await store.listAuditLog()).toEqual([]);
    await store.appendAuditLog({ at: T0, kind: 'audit', detail: {} });
    expect(await store.listAuditLog()).toHaveLength(1);
  });

  it('answers replay checks and decisions on the ack lane while every pooled connection is busy', async () => {
    const store = await open({ poolSize: 1, connectTimeoutMs: 200, statementTimeoutMs: 10_000 });
    await savePlan(store, 'plan-1');
    await store.createApproval(newApproval('decided'));
    const lock = await lockTable('audit_runs');
    // Background work (an audit's record) holds the only pooled connection: the pool is exhausted.
    const waiting = store.recordAuditRun(RUN);
    expect(await rejection(store.ping())).toBeInstanceOf(StoreError);
    // What a Slack ack waits for is answered all the same: the replay check (once), a click's decision
    // (the approval read, its compare-and-set with its audit-log line) and an exception's revocation.
    const expires = at(10);
    expect(await store.rememberOnce('slack:v0:abc', expires, new Date(T0))).toBe(true);
    expect(await store.rememberOnce('slack:v0:abc', expires, new Date(T0))).toBe(false);
    expect(await store.getApproval('decided')).toMatchObject({ state: 'requested' });
    const log = { at: T0, kind: 'approved' as const, detail: { by: 'test' } };
    expect(await store.transitionApproval('decided', 'requested', 'approved', {}, {}, log)).toMatchObject({
      state: 'approved',
    });
    expect(await store.revokeException('no-such-exception', { platform: 'slack', userId: 'U1' }, T0)).toBe(
      undefined,
    );
    await lock.release();
    await waiting;
    expect(await store.getAuditRun('run-1')).toMatchObject({ id: 'run-1' });
    expect((await store.listAuditLog()).map((e) => e.kind)).toEqual(['approved']);
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
