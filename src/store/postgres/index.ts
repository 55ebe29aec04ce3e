/**
 * The PostgreSQL store, for replicas: `openPostgresStore(settings)` connects, migrates under the migration
 * lock and returns it. Kept apart from src/store/index.ts so that SQLite-only commands never load the
 * driver (openConfiguredStore loads this module only for a PostgreSQL URL).
 */
export { POSTGRES_MIGRATIONS } from './migrations';
export {
  type OpenPostgresStoreOptions,
  openPostgresStore,
  type PostgresSettings,
  PostgresStore,
} from './postgres-store';
