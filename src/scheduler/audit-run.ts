/**
 * The audit half of a digest run: audit the controls of a schedule through the Auditor port (several
 * controls, e.g. a section, in one pass: one collection per account), record every control's run in the
 * store (before anything is posted, so a digest never shows what the history lacks), and read the audit
 * history for "failing since" on a schedule's first digest. An audit that fails as a whole becomes a safe
 * message in the digest for each of its controls; a store failure is not swallowed.
 */

import { recordAudit } from '../core/audit-recorder';
import type { ControlOutcome } from '../core/digest';
import { entryKey, streakStart } from '../core/digest';
import { CisBotError } from '../core/errors';
import { reportsPerControl } from '../core/evaluate/controls-report';
import type { AuditReport } from '../core/evaluate/findings';
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
  const accounts = schedule.accounts.length > 0 ? { accounts: schedule.accounts } : {};
  let reports: AuditReport[];
  try {
    if (schedule.controls.length === 1) {
      const [control] = schedule.controls as [string];
      reports = [(await deps.auditor.audit({ control, ...accounts })).report];
    } else {
      const { report } = await deps.auditor.auditControls({ controls: schedule.controls, ...accounts });
      reports = reportsPerControl(report);
    }
  } catch (error) {
    deps.log.error('digest audit failed', {
      schedule: schedule.name,
      controls: schedule.controls,
      ...errorFields(error),
    });
    return schedule.controls.map((control) => ({ control, error: safeMessage(error) }));
  }
  const outcomes: ControlOutcome[] = [];
  for (const report of reports) {
    await recordAudit(deps.store, report, { trigger, actor, purpose: 'digest' });
    outcomes.push({ control: report.control, report });
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
