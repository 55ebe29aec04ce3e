/**
 * The PostgreSQL store when its server goes away (its own server: the run's shared one must stay up for
 * the other test files). Through a restart: while the server is down every call fails at once with a
 * StoreError and nothing crashes; the pooled connections the restart killed are reported and replaced;
 * once the server is back the same store works again, with everything committed before still there.
 * A server that stops answering (frozen, or a network that drops packets) cannot even cancel a statement:
 * the client gives up shortly after the statement timeout and discards the connection.
 */
import { openPostgresStore } from '../../src/store/postgres';
import {
  createDatabaseOn,
  type PostgresServer,
  queryRows,
  startPostgresServer,
  testStoreSettings,
} from '../support/postgres';
import { T0 } from './contract/context';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
});
afterAll(async () => {
  await server?.close();
});

it('fails fast while the server is down and reconnects by itself once it is back', async () => {
  const lost: Error[] = [];
  const store = await openPostgresStore(testStoreSettings(server.url(), { poolSize: 3 }), {
    onConnectionError: (error) => lost.push(error),
  });
  try {
    // Fill the pool with idle connections, which the restart will kill.
    await Promise.all([1, 2, 3].map((i) => store.appendAuditLog({ at: T0, kind: 'audit', detail: { i } })));
    await server.stop();
    await expect(store.appendAuditLog({ at: T0, kind: 'audit', detail: { down: true } })).rejects.toThrow(
      /^could not append "audit" to the audit log: .*ECONNREFUSED/,
    );
    await expect(store.rememberOnce('k', '2030-01-01T00:00:00Z', new Date(T0))).rejects.toThrow(
      /^could not remember a once-only key: /,
    );
    await server.start();
    expect(await store.rememberOnce('k', '2030-01-01T00:00:00Z', new Date(T0))).toBe(true);
    await store.appendAuditLog({ at: T0, kind: 'audit', detail: { i: 4 } });
    // Everything committed before the restart is there; what was refused was not written.
    const details = (await store.listAuditLog()).map((e) => e.detail as { i: number });
    expect(details[0]).toEqual({ i: 4 });
    expect(
      details
        .slice(1)
        .map((d) => d.i)
        .sort(),
    ).toEqual([1, 2, 3]);
    // The pooled connections the restart killed were reported (and replaced).
    expect(lost.length).toBeGreaterThan(0);
    for (const error of lost)
      expect(error.message).toMatch(/terminating connection due to administrator command/);
  } finally {
    await store.close();
  }
});

it('gives up on a server that stopped answering, then works on a fresh connection', async () => {
  const url = await createDatabaseOn(server.url());
  const store = await openPostgresStore(testStoreSettings(url, { poolSize: 1, statementTimeoutMs: 300 }));
  const frozen: number[] = [];
  try {
    await store.appendAuditLog({ at: T0, kind: 'audit', detail: { before: true } });
    // Freeze the backend of the store's one pooled connection (SIGSTOP: it neither answers nor cancels).
    const backends = await queryRows<{ pid: number }>(
      server.url(),
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'cis-bot' AND datname = $1",
      [new URL(url).pathname.slice(1)],
    );
    expect(backends).toHaveLength(1);
    for (const { pid } of backends) {
      process.kill(pid, 'SIGSTOP');
      frozen.push(pid);
    }
    await expect(store.listAuditLog()).rejects.toThrow(
      /^could not read the audit log: the database did not answer within 1300 ms$/,
    );
    for (const pid of frozen.splice(0)) process.kill(pid, 'SIGCONT');
    expect((await store.listAuditLog()).map((e) => e.detail)).toEqual([{ before: true }]);
  } finally {
    for (const pid of frozen) process.kill(pid, 'SIGCONT');
    await store.close();
  }
});
