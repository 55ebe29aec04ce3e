/**
 * Records an audit in the store: the run with one result per account (what `status` and the digests
 * read back) and an audit-log entry. Shared by every trigger (CLI, Slack, Teams, schedules) so an audit
 * is persisted the same way wherever it was asked for.
 */
import { randomUUID } from 'node:crypto';
import type { AuditReport } from './evaluate/findings';
import type { ActorRef, AuditTrigger, Store } from './ports/store';

export async function recordAudit(
  store: Store,
  report: AuditReport,
  trigger: AuditTrigger,
  actor?: ActorRef,
): Promise<string> {
  const id = randomUUID();
  await store.recordAuditRun({
    id,
    control: report.control,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    trigger,
    ...(actor ? { actor } : {}),
    accounts: report.accounts.map((f) => ({
      accountId: f.accountId,
      status: f.status,
      reason: f.reason,
      finding: f,
    })),
  });
  await store.appendAuditLog({
    at: report.finishedAt,
    kind: 'audit',
    ...(actor ? { actor, platform: actor.platform } : {}),
    control: report.control,
    detail: { runId: id, trigger, summary: report.summary, apiCalls: report.stats.apiCalls },
  });
  return id;
}
