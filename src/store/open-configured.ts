/**
 * Opens the store the configuration names: the PostgreSQL database (connected and migrated before this
 * resolves, so a bad URL, a refused login or a newer schema stops start-up) or the SQLite file. The
 * PostgreSQL driver is loaded only here, when a URL is configured.
 */
import type { StoreConfig } from '../config/schema';
import type { Store } from '../core/ports/store';
import type { MigrationOutcome } from './migrations';
import type { OpenPostgresStoreOptions } from './postgres/postgres-store';
import { openStore } from './sqlite/sqlite-store';

/** An open store and what its start-up migration did. */
export type OpenedStore = Store & { readonly migration: MigrationOutcome };

export async function openConfiguredStore(
  config: StoreConfig,
  options: Pick<OpenPostgresStoreOptions, 'onConnectionError'> = {},
): Promise<OpenedStore> {
  if (config.kind === 'sqlite') return openStore(config.path);
  const { openPostgresStore } =
    require('./postgres/postgres-store') as typeof import('./postgres/postgres-store');
  return openPostgresStore(
    {
      url: config.url,
      poolSize: config.pool_size,
      connectTimeoutMs: config.connect_timeout_ms,
      statementTimeoutMs: config.statement_timeout_ms,
    },
    options,
  );
}
