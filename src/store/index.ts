/** The SQLite store: `openStore(path)` returns an implementation of the core's Store port. */
export { MIGRATIONS, type Migration, migrate, schemaVersion } from './migrations';
export { type OpenStoreOptions, openStore, SqliteStore } from './sqlite-store';
