/** The SQLite store: `openStore(path)` returns an implementation of the core's store ports. */
export { MIGRATIONS, type Migration, migrate, schemaVersion } from './sqlite/migrations';
export { type OpenStoreOptions, openStore, SqliteStore } from './sqlite/sqlite-store';
