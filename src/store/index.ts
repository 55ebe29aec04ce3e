/**
 * The store implementations of the core's store ports: the embedded SQLite store (`openStore(path)`, the
 * default for one process and the demo) and the PostgreSQL store for replicas (src/store/postgres,
 * loaded only when used); `openConfiguredStore(config.store)` opens the one the configuration names.
 */
export { type Migration, type MigrationOutcome, SCHEMA_MIGRATIONS } from './migrations';
export { type OpenedStore, openConfiguredStore } from './open-configured';
export { MIGRATIONS, migrate, schemaVersion } from './sqlite/migrations';
export { type OpenStoreOptions, openStore, SqliteStore } from './sqlite/sqlite-store';
