/**
 * Records an audit in the store: the run with one result per account (what `status`, the digests and the
 * history read back) and one audit-log entry per audited account. Shared by every trigger (chat
 * commands, the remediation workflow's re-audits, schedules) so an audit is persisted the same way
 * wherever it was asked for.
 */
import { randomUUID } from 'node:crypto';
import type { AuditReport } from './evaluate/findings';
import type { ActorRef, AuditLogInput, AuditLogStore, AuditRunStore, AuditTrigger } from './ports/store';

export interface RecordAuditOptions {
  trigger: AuditTrigger;
  actor: ActorRef;
  /** Why the audit ran (`audit`, `plan`, `re-derive`, `re-audit`, `digest`...), kept in the audit log. */
  purpose?: string;
  /** The audit-log time; default the report's finish time. */
  at?: string;
}

export async function recordAudit(
  store: AuditRunStore & AuditLogStore,
  report: AuditReport,
  options: RecordAuditOptions,
): Promise<string> {
  const id = randomUUID();
  const { actor, trigger } = options;
  // One audit-log entry per audited account, recorded with the run in one transaction (one disk flush).
  const log: AuditLogInput[] = report.accounts.map((f) => ({
    at: options.at ?? report.finishedAt,
    kind: 'audit',
    actor: { platform: actor.platform, userId: actor.userId },
    platform: actor.platform,
    control: report.control,
    accountId: f.accountId,
    detail: {
      runId: id,
      purpose: options.purpose ?? 'audit',
      status: f.status,
      reason: f.reason,
      brokenLink: f.brokenLink ?? null,
    },
  }));
  await store.recordAuditRun(
    {
      id,
      control: report.control,
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
      trigger,
      actor,
      accounts: report.accounts.map((f) => ({
        accountId: f.accountId,
        status: f.status,
        reason: f.reason,
        finding: f,
      })),
    },
    log,
  );
  return id;
}
