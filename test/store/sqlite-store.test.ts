/**
 * What is particular to the SQLite store (its behaviour as a store is the contract suite's, see
 * sqlite-contract.test.ts): the audit log's append-only triggers hold against any connection to the file,
 * and driver failures carry what was being done.
 */
import Database from 'better-sqlite3';
import { openStore, type SqliteStore } from '../../src/store';
import { tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.remove());

let store: SqliteStore;
let path: string;
let n = 0;
beforeEach(() => {
  path = tmp.file(`store-${n++}.db`);
  store = openStore(path);
});
afterEach(() => store.close());

const T0 = '2025-03-01T07:00:00.000Z';

describe('audit log', () => {
  it('cannot be updated or deleted, even through another connection', async () => {
    await store.appendAuditLog({ at: T0, kind: 'audit', detail: { ok: true } });
    const raw = new Database(path);
    try {
      expect(() => raw.prepare("UPDATE audit_log SET kind = 'x'").run()).toThrow(/append-only/);
      expect(() => raw.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    } finally {
      raw.close();
    }
    expect((await store.listAuditLog()).map((e) => e.detail)).toEqual([{ ok: true }]);
  });

  it('says what could not be done when the driver fails', async () => {
    await store.appendAuditLog({ at: T0, kind: 'audit', detail: {} });
    await store.close();
    await expect(store.appendAuditLog({ at: T0, kind: 'audit', detail: {} })).rejects.toThrow(
      /could not append "audit" to the audit log: The database connection is not open/,
    );
    store = openStore(path); // for afterEach
    expect(await store.listAuditLog()).toHaveLength(1);
  });
});
