/**
 * The audit half of a digest run: audit each control of a schedule through the Auditor port, record
 * every run in the store (before anything is posted, so a digest never shows what the history lacks),
 * and read the audit history for "failing since" on a schedule's first digest. A control whose audit
 * fails as a whole becomes a safe message in the digest; a store failure is not swallowed.
 */

import { recordAudit } from '../core/audit-recorder';
import type { ControlOutcome } from '../core/digest';
import { entryKey, streakStart } from '../core/digest';
import { CisBotError } from '../core/errors';
import type { Auditor } from '../core/ports/auditor';
import type { Logger } from '../core/ports/logger';
import {
  type ActorRef,
  type AuditLogStore,
  type AuditRunStore,
  type AuditTrigger,
  StoreError,
} from '../core/ports/store';
import { errorFields } from './log';
import type { ScheduleSettings } from './settings';

/** How far back the audit history is read to date a failing streak. */
const HISTORY_DAYS = 90;

export interface AuditRunDeps {
  auditor: Auditor;
  store: AuditRunStore & AuditLogStore;
  log: Logger;
}

export function safeMessage(error: unknown): string {
  // Our own errors are written to be shown (they name the setting or IAM action); anything else may carry
  // request details, so it stays in the log. A database failure's text names files and driver internals.
  if (error instanceof StoreError) return "the bot's database failed (details are in the bot log)";
  if (error instanceof CisBotError) return error.message;
  return 'an unexpected error (details are in the bot log)';
}

export async function auditSchedule(
  deps: AuditRunDeps,
  schedule: ScheduleSettings,
  trigger: AuditTrigger,
  actor: ActorRef,
): Promise<ControlOutcome[]> {
  const outcomes: ControlOutcome[] = [];
  for (const control of schedule.controls) {
    let outcome: ControlOutcome;
    try {
      const { report } = await deps.auditor.audit({
        control,
        ...(schedule.accounts.length > 0 ? { accounts: schedule.accounts } : {}),
      });
      outcome = { control, report };
    } catch (error) {
      deps.log.error('digest audit failed', { schedule: schedule.name, control, ...errorFields(error) });
      outcomes.push({ control, error: safeMessage(error) });
      continue;
    }
    await recordAudit(deps.store, outcome.report, { trigger, actor, purpose: 'digest' });
    outcomes.push(outcome);
  }
  return outcomes;
}

/** Start of each failing account's current streak in the audit history (`control|account` keys). */
export async function failingSinceFromHistory(
  store: AuditRunStore,
  outcomes: readonly ControlOutcome[],
  at: Date,
): Promise<Map<string, string>> {
  const since = new Map<string, string>();
  const from = new Date(at.getTime() - HISTORY_DAYS * 86_400_000).toISOString();
  for (const o of outcomes) {
    if (!('report' in o)) continue;
    const failing = o.report.accounts.filter((f) => f.status !== 'COMPLIANT').map((f) => f.accountId);
    if (failing.length === 0) continue;
    const history = await store.findingsSince(o.control, from, failing);
    const byAccount = new Map<string, Array<{ status: string; at: string }>>();
    for (const h of history) {
      const list = byAccount.get(h.accountId) ?? [];
      list.push({ status: h.status, at: h.at });
      byAccount.set(h.accountId, list);
    }
    for (const [accountId, list] of byAccount) {
      const start = streakStart(list);
      if (start !== undefined) since.set(entryKey({ control: o.control, accountId }), start);
    }
  }
  return since;
}
