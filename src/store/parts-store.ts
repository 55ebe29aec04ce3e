/**
 * A Store put together from one implementation per port (audit runs, plans, approvals, audit log,
 * scheduled runs, conversation references, once-only keys, leases): each store (SQLite, PostgreSQL) implements
 * the ports in its own parts over its own connection and extends this class, which only delegates.
 */
import type { Platform } from '../core/ports/chat';
import type {
  ActorRef,
  AlertStateRecord,
  AlertStateStore,
  Approval,
  ApprovalPatch,
  ApprovalQuery,
  ApprovalState,
  ApprovalStore,
  AuditLogEntry,
  AuditLogInput,
  AuditLogQuery,
  AuditLogStore,
  AuditRunRecord,
  AuditRunStore,
  ConversationRefStore,
  ExceptionQuery,
  ExceptionRecord,
  ExceptionStore,
  LeaseRecord,
  LeaseStore,
  NewApproval,
  NewException,
  OnceKeyStore,
  PlanRecord,
  PlanStore,
  ScheduleRunRecord,
  ScheduleRunStore,
  SlackInstallationRecord,
  SlackInstallationStore,
  Store,
  StoredConversationRef,
  StoredFinding,
  TransitionGuard,
} from '../core/ports/store';

export interface StoreParts {
  auditRuns: AuditRunStore;
  plans: PlanStore;
  approvals: ApprovalStore;
  auditLog: AuditLogStore;
  scheduleRuns: ScheduleRunStore;
  conversations: ConversationRefStore;
  onceKeys: OnceKeyStore;
  leases: LeaseStore;
  exceptions: ExceptionStore;
  alertStates: AlertStateStore;
  slackInstallations: SlackInstallationStore;
}

export abstract class PartsStore implements Store {
  constructor(private readonly parts: StoreParts) {}

  abstract close(): Promise<void>;
  abstract ping(): Promise<void>;

  // ---- audit runs and findings --------------------------------------------------------------------
  recordAuditRun(run: AuditRunRecord, log?: readonly AuditLogInput[]): Promise<void> {
    return this.parts.auditRuns.recordAuditRun(run, log);
  }
  getAuditRun(id: string): Promise<AuditRunRecord | undefined> {
    return this.parts.auditRuns.getAuditRun(id);
  }
  latestFindings(control: string, accountIds?: readonly string[]): Promise<StoredFinding[]> {
    return this.parts.auditRuns.latestFindings(control, accountIds);
  }
  findingsSince(control: string, since: string, accountIds?: readonly string[]): Promise<StoredFinding[]> {
    return this.parts.auditRuns.findingsSince(control, since, accountIds);
  }

  // ---- plans --------------------------------------------------------------------------------------
  savePlan(plan: PlanRecord): Promise<void> {
    return this.parts.plans.savePlan(plan);
  }
  getPlan(hash: string): Promise<PlanRecord | undefined> {
    return this.parts.plans.getPlan(hash);
  }

  // ---- approvals ----------------------------------------------------------------------------------
  createApproval(input: NewApproval, log?: AuditLogInput): Promise<Approval> {
    return this.parts.approvals.createApproval(input, log);
  }
  getApproval(id: string): Promise<Approval | undefined> {
    return this.parts.approvals.getApproval(id);
  }
  transitionApproval(
    id: string,
    from: ApprovalState | readonly ApprovalState[],
    to: ApprovalState,
    patch?: ApprovalPatch,
    guard?: TransitionGuard,
    log?: AuditLogInput,
  ): Promise<Approval | undefined> {
    return this.parts.approvals.transitionApproval(id, from, to, patch, guard, log);
  }
  listApprovals(query?: ApprovalQuery): Promise<Approval[]> {
    return this.parts.approvals.listApprovals(query);
  }

  // ---- audit log ----------------------------------------------------------------------------------
  appendAuditLog(entry: AuditLogInput): Promise<number> {
    return this.parts.auditLog.appendAuditLog(entry);
  }
  listAuditLog(query?: AuditLogQuery): Promise<AuditLogEntry[]> {
    return this.parts.auditLog.listAuditLog(query);
  }

  // ---- conversation references --------------------------------------------------------------------
  saveConversationRef(platform: Platform, conversationId: string, ref: unknown): Promise<void> {
    return this.parts.conversations.saveConversationRef(platform, conversationId, ref);
  }
  getConversationRef(platform: Platform, conversationId: string): Promise<unknown | undefined> {
    return this.parts.conversations.getConversationRef(platform, conversationId);
  }
  listConversationRefs(platform: Platform): Promise<StoredConversationRef[]> {
    return this.parts.conversations.listConversationRefs(platform);
  }

  // ---- scheduled runs -----------------------------------------------------------------------------
  claimScheduleRun(
    scheduleName: string,
    fireTime: string,
    owner: string,
    leaseMs: number,
    now: Date,
  ): Promise<boolean> {
    return this.parts.scheduleRuns.claimScheduleRun(scheduleName, fireTime, owner, leaseMs, now);
  }
  completeScheduleRun(scheduleName: string, fireTime: string, summary: unknown, now?: Date): Promise<void> {
    return this.parts.scheduleRuns.completeScheduleRun(scheduleName, fireTime, summary, now);
  }
  getScheduleRun(scheduleName: string, fireTime: string): Promise<ScheduleRunRecord | undefined> {
    return this.parts.scheduleRuns.getScheduleRun(scheduleName, fireTime);
  }
  lastCompletedScheduleRun(
    scheduleName: string,
  ): Promise<{ fireTime: string; completedAt: string; summary: unknown } | undefined> {
    return this.parts.scheduleRuns.lastCompletedScheduleRun(scheduleName);
  }

  // ---- once-only keys -----------------------------------------------------------------------------
  rememberOnce(key: string, expiresAt: string, now: Date): Promise<boolean> {
    return this.parts.onceKeys.rememberOnce(key, expiresAt, now);
  }

  // ---- leases -------------------------------------------------------------------------------------
  acquireLease(key: string, owner: string, ttlMs: number, now: Date): Promise<LeaseRecord | undefined> {
    return this.parts.leases.acquireLease(key, owner, ttlMs, now);
  }
  renewLease(key: string, owner: string, ttlMs: number, now: Date): Promise<LeaseRecord | undefined> {
    return this.parts.leases.renewLease(key, owner, ttlMs, now);
  }
  releaseLease(key: string, owner: string): Promise<boolean> {
    return this.parts.leases.releaseLease(key, owner);
  }
  getLease(key: string): Promise<LeaseRecord | undefined> {
    return this.parts.leases.getLease(key);
  }

  // ---- exceptions ---------------------------------------------------------------------------------
  saveException(exception: NewException): Promise<ExceptionRecord> {
    return this.parts.exceptions.saveException(exception);
  }
  getException(id: string): Promise<ExceptionRecord | undefined> {
    return this.parts.exceptions.getException(id);
  }
  listExceptions(query?: ExceptionQuery): Promise<ExceptionRecord[]> {
    return this.parts.exceptions.listExceptions(query);
  }
  revokeException(id: string, by: ActorRef, at: string): Promise<ExceptionRecord | undefined> {
    return this.parts.exceptions.revokeException(id, by, at);
  }

  // ---- alert states (drift alerts) ----------------------------------------------------------------
  getAlertState(accountId: string, control: string): Promise<AlertStateRecord | undefined> {
    return this.parts.alertStates.getAlertState(accountId, control);
  }
  swapAlertState(
    accountId: string,
    control: string,
    expected: string | undefined,
    next: string,
    at: Date,
    pendingAlert?: unknown,
  ): Promise<boolean> {
    return this.parts.alertStates.swapAlertState(accountId, control, expected, next, at, pendingAlert);
  }
  clearPendingAlert(accountId: string, control: string, status: string): Promise<boolean> {
    return this.parts.alertStates.clearPendingAlert(accountId, control, status);
  }

  // ---- Slack installations (OAuth) ----------------------------------------------------------------
  saveSlackInstallation(record: SlackInstallationRecord): Promise<void> {
    return this.parts.slackInstallations.saveSlackInstallation(record);
  }
  getSlackInstallation(key: string): Promise<SlackInstallationRecord | undefined> {
    return this.parts.slackInstallations.getSlackInstallation(key);
  }
  deleteSlackInstallation(key: string): Promise<boolean> {
    return this.parts.slackInstallations.deleteSlackInstallation(key);
  }
  listSlackInstallations(): Promise<SlackInstallationRecord[]> {
    return this.parts.slackInstallations.listSlackInstallations();
  }
}
