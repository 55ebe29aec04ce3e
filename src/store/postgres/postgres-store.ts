/**
 * The PostgreSQL implementation of the store ports (node-postgres), for several replicas behind a load
 * balancer: every compare-and-set (approval transitions, execution leases, scheduled-run claims, once-only
 * keys, conversation references, leases) is one statement the database decides atomically, never process-local
 * state. `openPostgresStore` connects, migrates under the migration lock and returns the store; each port
 * is implemented by its own part over one shared, time-bounded connection pool.
 */
import type { Migration, MigrationOutcome } from '../migrations';
import { PartsStore, type StoreParts } from '../parts-store';
import { PostgresAlertStateStore } from './alert-states';
import { PostgresApprovalStore } from './approvals';
import { PostgresAuditLogStore } from './audit-log';
import { PostgresAuditRunStore } from './audit-runs';
import { PgConnection, type PostgresSettings } from './connection';
import { PostgresConversationRefStore } from './conversations';
import { PostgresExceptionStore } from './exceptions';
import { PostgresLeaseStore } from './leases';
import { migratePostgres, POSTGRES_MIGRATIONS } from './migrations';
import { PostgresOnceKeyStore } from './once-keys';
import { PostgresPlanStore } from './plans';
import { PostgresScheduleRunStore } from './schedule-runs';
import { PostgresSlackInstallationStore } from './slack-installations';

export type { PostgresSettings } from './connection';

export interface OpenPostgresStoreOptions {
  /** The migrations to apply; tests pass a prefix to build an old-version database. */
  migrations?: readonly Migration[];
  /** How long start-up waits for the migration lock and each migration statement (ms). Default 60 s. */
  migrationTimeoutMs?: number;
  /** The clock for timestamps the store fills in itself (updatedAt defaults, migration times). */
  now?: () => Date;
  /**
   * Told when an idle pooled connection fails (the server restarted, a failover): the pool replaces it
   * on the next call. Default: ignored.
   */
  onConnectionError?: (error: Error) => void;
}

function postgresParts(c: PgConnection): StoreParts {
  return {
    auditRuns: new PostgresAuditRunStore(c),
    plans: new PostgresPlanStore(c),
    approvals: new PostgresApprovalStore(c),
    auditLog: new PostgresAuditLogStore(c),
    scheduleRuns: new PostgresScheduleRunStore(c),
    conversations: new PostgresConversationRefStore(c),
    onceKeys: new PostgresOnceKeyStore(c),
    leases: new PostgresLeaseStore(c),
    exceptions: new PostgresExceptionStore(c),
    alertStates: new PostgresAlertStateStore(c),
    slackInstallations: new PostgresSlackInstallationStore(c),
  };
}

export class PostgresStore extends PartsStore {
  /** What the start-up migration did (from/to version, versions applied by this store). */
  readonly migration: MigrationOutcome;
  private readonly connection: PgConnection;

  constructor(connection: PgConnection, migration: MigrationOutcome) {
    super(postgresParts(connection));
    this.connection = connection;
    this.migration = migration;
  }

  /** One round trip on a pooled connection (`SELECT 1`), bounded by the pool's connect and query timeouts. */
  async ping(): Promise<void> {
    await this.connection.rows('check the database', 'SELECT 1');
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

/** Connects to the database at `settings.url`, migrates it (under the migration lock) and returns the store. */
export async function openPostgresStore(
  settings: PostgresSettings,
  options: OpenPostgresStoreOptions = {},
): Promise<PostgresStore> {
  const connection = new PgConnection(
    settings,
    options.now ?? (() => new Date()),
    options.onConnectionError ?? (() => {}),
  );
  try {
    const migration = await migratePostgres(
      connection,
      options.migrations ?? POSTGRES_MIGRATIONS,
      options.migrationTimeoutMs,
    );
    await connection.openAckLane();
    return new PostgresStore(connection, migration);
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}
