/**
 * The store ports: everything cis-bot keeps between requests and across restarts, split by concern so a
 * second implementation implements small, obvious interfaces. `Store` is all of them plus `close`: the
 * embedded SQLite implementation lives in src/store; every implementation runs the store contract suite
 * (test/store/contract).
 *
 * Conventions for every port: plain data only; timestamps are ISO-8601 strings (UTC), returned in
 * `Date#toISOString` form whatever ISO form was given, and a value that is not a time rejects; JSON
 * payloads are `unknown` and round-trip through JSON; optional fields that were not given come back absent
 * (never null). Every method is async so a networked database fits, and every failure rejects with a
 * StoreError: a failed write never drops data silently.
 */
import type { AlertStateStore } from './alert-states';
import type { ApprovalStore } from './approvals';
import type { AuditLogStore } from './audit-log';
import type { AuditRunStore } from './audit-runs';
import type { ConversationRefStore } from './conversations';
import type { ExceptionStore } from './exceptions';
import type { LeaseStore } from './leases';
import type { OnceKeyStore } from './once-keys';
import type { PlanStore } from './plans';
import type { ScheduleRunStore } from './schedule-runs';
import type { SlackInstallationStore } from './slack-installations';

export * from './alert-states';
export * from './approvals';
export * from './audit-log';
export * from './audit-runs';
export * from './common';
export * from './conversations';
export * from './exceptions';
export * from './leases';
export * from './once-keys';
export * from './plans';
export * from './schedule-runs';
export * from './slack-installations';
export { StoreError } from './store-error';

export interface Store
  extends AuditRunStore,
    PlanStore,
    ApprovalStore,
    AuditLogStore,
    ScheduleRunStore,
    ConversationRefStore,
    OnceKeyStore,
    LeaseStore,
    ExceptionStore,
    AlertStateStore,
    SlackInstallationStore {
  /**
   * A cheap check that the database can be used now (readiness): resolves, or rejects with a StoreError
   * (kind 'unavailable' when the database cannot be reached or, for SQLite, written), within the store's
   * short time bounds. Changes nothing.
   */
  ping(): Promise<void>;
  /** Releases the connection(s); further calls reject. */
  close(): Promise<void>;
}
