/**
 * The PostgreSQL store through a server restart (its own server: the run's shared one must stay up for
 * the other test files): while the server is down every call fails at once with a StoreError and nothing
 * crashes; the pooled connections the restart killed are reported and replaced; once the server is back
 * the same store works again, with everything committed before the restart still there.
 */
import { openPostgresStore } from '../../src/store/postgres';
import { type PostgresServer, startPostgresServer, testStoreSettings } from '../support/postgres';
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
