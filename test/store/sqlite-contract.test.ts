/** The store contract suite against the embedded SQLite store: a new database file per test. */
import { openStore } from '../../src/store';
import { describeStoreContract } from './contract';
import { tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.remove());

let n = 0;
describeStoreContract('SQLite', async () => {
  const path = tmp.file(`contract-${n++}.db`);
  return { store: openStore(path), openPeer: async () => openStore(path) };
});
