/**
 * The schema versions of cis-bot's database, one file per version holding the SQL of every store side by
 * side (SQLite and PostgreSQL), so the two stores always have the same versions with the same meaning.
 * To add a table: add the next file (`005-….ts`) with both dialects, append it here, and never edit a
 * version that has shipped. Each store's runner (sqlite/migrations.ts, postgres/migrations.ts) applies
 * the pending versions under a lock and refuses a database written by a newer cis-bot.
 */

import { StoreError } from '../../core/ports/store';
import { auditsPlansApprovals } from './001-audits-plans-approvals';
import { conversationsScheduleRuns } from './002-conversations-schedule-runs';
import { onceKeys } from './003-once-keys';
import { approvalKinds } from './004-approval-kinds';
import { auditRunsAnyPlatform } from './005-audit-runs-any-platform';
import { leases } from './006-leases';
import { exceptions } from './007-exceptions';
import { alertStates } from './008-alert-states';
import { slackInstallations } from './009-slack-installations';
import { alertPending } from './010-alert-pending';
import type { Migration, SchemaMigration } from './schema-migration';

export type { Migration, MigrationOutcome, SchemaMigration } from './schema-migration';

export const SCHEMA_MIGRATIONS: readonly SchemaMigration[] = [
  auditsPlansApprovals,
  conversationsScheduleRuns,
  onceKeys,
  approvalKinds,
  auditRunsAnyPlatform,
  leases,
  exceptions,
  alertStates,
  slackInstallations,
  alertPending,
];

/** The migrations of one store's dialect, in version order. */
export function migrationsFor(dialect: 'sqlite' | 'postgres'): readonly Migration[] {
  return SCHEMA_MIGRATIONS.map((m) => ({ version: m.version, name: m.name, sql: m[dialect] }));
}

/** Refuses a migration list that is not numbered 1..n (a runner's own guard: tests pass prefixes). */
export function checkNumbering(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new StoreError(`migration list is not numbered 1..n: entry ${i} has version ${m.version}`);
    }
  });
}

/** The refusal of a database whose schema is newer than this cis-bot knows; `elsewhere` says what else to do. */
export function newerSchemaError(
  database: string,
  current: number,
  latest: number,
  elsewhere: string,
): StoreError {
  return new StoreError(
    `the database ${database} has schema version ${current}, but this cis-bot knows versions up to ${latest}: ` +
      `it was written by a newer cis-bot. Upgrade cis-bot, or ${elsewhere}.`,
  );
}
