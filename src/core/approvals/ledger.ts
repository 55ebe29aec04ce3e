/**
 * The approval ledger: the approval state machine over the store port, for every kind of approval, and the
 * persistence half of the one approval workflow (workflow.ts), which is its only user in production:
 * request, decide (authorization, TTL, platform binding), begin and finish an execution,
 * expire overdue requests, and find and take over executions a crash interrupted.
 * Every state change is a compare-and-set in the store with its audit-log line written in the same
 * transaction, so a plan runs at most once however many clicks, replicas or restarts race for it.
 * Refusals are RemediationRefused errors with a message fit for chat, and are audit-logged as 'refused'.
 *
 * Executions are owned: `beginExecution` and `resumeInterrupted` record the run's owner (one string per
 * piece of work, e.g. `remediation <id>@<replica>`), and only that owner can finish it. Whether the owner
 * is alive is NOT kept here: the workflow holds the account's lease (LeaseStore, execution-lease.ts) for
 * the run, renewed in the background, and an execution whose lease lapsed is handed to a new owner by
 * `resumeInterrupted`. Resuming re-runs the SAME approved plan without re-deriving its hash: the executor
 * re-reads state before every step and skips what is already done, so steps completed before the crash
 * are not repeated; a re-derived hash would differ precisely because some steps already happened.
 * An approval left `approved` but never started (a crash or an error between decide and beginExecution)
 * is listed by `abandonedApprovals()` once its decision is APPROVED_ABANDONED_AFTER_MS old, for the
 * start-up resume to re-derive and run (or mark stale) like any approved plan.
 */
import { randomUUID } from 'node:crypto';
import { CisBotError, RemediationRefused } from '../errors';
import type { Actor, ConversationRef } from '../ports/chat';
import type {
  ActorRef,
  Approval,
  ApprovalKind,
  ApprovalPatch,
  ApprovalState,
  ApprovalStore,
  AuditLogInput,
  AuditLogKind,
  AuditLogStore,
  ConversationPointer,
  TransitionGuard,
} from '../ports/store';
import type { ApprovalSettings } from '../settings';
import { authorizeApprover, type Decision } from './authorize';
import { canTransition, describeApprovalState } from './state-machine';

/** The store ports the approval state machine uses. */
export type ApprovalLedgerStore = ApprovalStore & AuditLogStore;

export interface ApprovalLedgerOptions {
  store: ApprovalLedgerStore;
  settings: ApprovalSettings;
  now?: () => Date;
  newId?: () => string;
  /** This process/replica, as the owner of the executions it runs. Default: a random id per service. */
  owner?: string;
  /**
   * How long after its decision an approval still in `approved` counts as abandoned (the process died, or
   * the re-derive threw, between `decide` and `beginExecution`). Default APPROVED_ABANDONED_AFTER_MS.
   */
  approvedAbandonedAfterMs?: number;
}

/**
 * An approval decided this long ago but never started is picked up by the start-up resume. Long enough
 * that a live process is done re-deriving its plan (one audit of one account), short enough that an
 * approved remediation does not wait long after a crash; beginExecution's compare-and-set settles a race.
 */
export const APPROVED_ABANDONED_AFTER_MS = 5 * 60_000;

/**
 * A person's decision on an approval, and the conversation it was clicked in (chat); without one (the
 * CLI) only the platform binding applies.
 */
export interface DecisionInput {
  approvalId: string;
  actor: Actor;
  decision: Decision;
  conversation?: ConversationRef;
  /**
   * The message the decision was clicked on (Slack ts, Teams activity id) and its thread, kept with the
   * approval's conversation so a run resumed on another replica reports in that thread.
   */
  message?: MessagePointer;
}

/** A chat message and the thread it is in (Slack thread ts; Teams: the conversation id of the thread). */
export interface MessagePointer {
  messageRef: string;
  threadRef?: string;
}

export interface ApprovalRequest {
  /** What is approved (the name of its kind's handler). */
  kind: ApprovalKind;
  planHash: string;
  control: string;
  accountId: string;
  requestedBy: Actor | ActorRef;
  conversation?: ConversationPointer;
}

/** cis-bot itself, for approvals granted by `default_action: remediate`. */
export const SYSTEM_ACTOR: ActorRef = {
  platform: 'system',
  userId: 'cis-bot',
  displayName: 'cis-bot (automatic)',
};

function toRef(actor: Actor | ActorRef): ActorRef {
  return {
    platform: actor.platform,
    userId: actor.userId,
    ...(actor.displayName !== undefined ? { displayName: actor.displayName } : {}),
  };
}

export class ApprovalLedger {
  readonly owner: string;
  private readonly store: ApprovalLedgerStore;
  private readonly settings: ApprovalSettings;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly abandonedAfterMs: number;

  constructor(options: ApprovalLedgerOptions) {
    this.store = options.store;
    this.settings = options.settings;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.owner = options.owner ?? `cis-bot-${randomUUID()}`;
    this.abandonedAfterMs = options.approvedAbandonedAfterMs ?? APPROVED_ABANDONED_AFTER_MS;
  }

  get(approvalId: string): Promise<Approval | undefined> {
    return this.store.getApproval(approvalId);
  }

  /** Asks for approval of a saved subject (plan record); expires after the approval settings' TTL. */
  async request(input: ApprovalRequest): Promise<Approval> {
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.settings.ttlMinutes * 60_000).toISOString();
    const requestedBy = toRef(input.requestedBy);
    return this.store.createApproval(
      {
        id: this.newId(),
        kind: input.kind,
        planHash: input.planHash,
        control: input.control,
        accountId: input.accountId,
        requestedBy,
        createdAt: now.toISOString(),
        expiresAt,
        ...(input.conversation ? { conversation: input.conversation } : {}),
      },
      {
        at: now.toISOString(),
        kind: 'approval-requested',
        actor: requestedBy,
        control: input.control,
        accountId: input.accountId,
        planHash: input.planHash,
        detail: { expiresAt, conversation: input.conversation ?? null },
      },
    );
  }

  /**
   * Grants a saved plan without a person, for controls whose default_action is `remediate` (an explicit
   * opt-in the caller checks). Recorded as approved by cis-bot itself.
   */
  async approveAutomatically(
    input: Omit<ApprovalRequest, 'requestedBy'> & { reason: string },
  ): Promise<Approval> {
    const requested = await this.request({ ...input, requestedBy: SYSTEM_ACTOR });
    const at = this.now().toISOString();
    const approved = await this.cas(
      requested,
      'requested',
      'approved',
      { at, decidedBy: SYSTEM_ACTOR, decidedAt: at },
      {},
      'approved',
      SYSTEM_ACTOR,
      { decision: 'approve', automatic: true, reason: input.reason },
    );
    if (!approved) return this.refuseAsCurrent(requested.id);
    return approved;
  }

  /**
   * Records `actor`'s decision, or refuses it (not-found, expired, already-decided, forbidden,
   * self-approval, wrong-conversation), every refusal audit-logged with where it was clicked.
   */
  async decide(input: DecisionInput): Promise<Approval> {
    const { approvalId, actor, decision } = input;
    const approval = await this.store.getApproval(approvalId);
    if (!approval) {
      await this.logRefusal(undefined, input, 'not-found');
      throw new RemediationRefused('not-found', `There is no approval ${approvalId}; ask for a new plan.`);
    }
    if (approval.state !== 'requested') {
      const reason =
        approval.state === 'expired' ? 'expired' : approval.state === 'stale' ? 'stale' : 'already-decided';
      await this.logRefusal(approval, input, reason);
      throw new RemediationRefused(reason, describeApprovalState(approval));
    }
    const now = this.now();
    if (now.getTime() >= Date.parse(approval.expiresAt)) {
      const expired = await this.cas(
        approval,
        'requested',
        'expired',
        { at: now.toISOString() },
        {},
        'expired',
        actor,
        {
          reason: 'ttl',
          expiresAt: approval.expiresAt,
        },
      );
      if (!expired) return this.refuseAsCurrent(approvalId, input);
      await this.logRefusal(expired, input, 'expired');
      throw new RemediationRefused('expired', describeApprovalState(expired));
    }
    try {
      authorizeApprover(this.settings, actor, approval, decision, input.conversation);
    } catch (error) {
      if (error instanceof RemediationRefused)
        await this.logRefusal(approval, input, error.reason, error.message);
      throw error;
    }
    const decidedBy = toRef(actor);
    const at = now.toISOString();
    const to: ApprovalState = decision === 'approve' ? 'approved' : 'rejected';
    // Where the decision was clicked (the request's own conversation, checked above): the thread a
    // resumed run reports in.
    const where =
      input.message && approval.conversation
        ? { conversation: { ...approval.conversation, ...input.message } }
        : {};
    const decided = await this.cas(
      approval,
      'requested',
      to,
      { at, decidedBy, decidedAt: at, ...where },
      {},
      to,
      actor,
      {
        decision,
        decidedAt: at,
      },
    );
    if (!decided) return this.refuseAsCurrent(approvalId, input);
    return decided;
  }

  /**
   * Starts executing an approved plan. `currentPlanHash` is the hash of the plan re-derived from the
   * account's state now; if it differs, or `blocked` says why the re-derived plan can no longer be run
   * (e.g. its steps could not reach COMPLIANT any more), the approval becomes stale. Exactly one caller wins.
   * `runOwner`: who runs it (default this replica), the only one who can finish it.
   */
  async beginExecution(
    approvalId: string,
    currentPlanHash: string,
    blocked?: string,
    runOwner: string = this.owner,
  ): Promise<Approval> {
    const approval = await this.store.getApproval(approvalId);
    if (!approval)
      throw new RemediationRefused('not-found', `There is no approval ${approvalId}; ask for a new plan.`);
    if (approval.state === 'requested') {
      throw new RemediationRefused(
        'forbidden',
        `${describeApprovalState(approval)} It must be approved first.`,
      );
    }
    if (approval.state !== 'approved')
      throw new RemediationRefused('already-decided', describeApprovalState(approval));
    const now = this.now();
    const at = now.toISOString();
    if (approval.planHash !== currentPlanHash || blocked !== undefined) {
      const error =
        approval.planHash !== currentPlanHash
          ? `the plan changed from ${approval.planHash} to ${currentPlanHash} before execution`
          : `the plan can no longer be run: ${blocked}`;
      const stale = await this.cas(approval, 'approved', 'stale', { at, error }, {}, 'stale', undefined, {
        approvedPlanHash: approval.planHash,
        currentPlanHash,
        ...(blocked !== undefined ? { blocked } : {}),
      });
      if (!stale) return this.refuseAsCurrent(approvalId);
      throw new RemediationRefused(
        'stale',
        `The account changed since the plan was shown (approval ${approvalId})${blocked !== undefined ? `: ${blocked}` : ''}; ask for a new plan.`,
      );
    }
    const executing = await this.cas(
      approval,
      'approved',
      'executing',
      // No expiry on the row: the account's lease (execution-lease.ts) says whether the run is alive.
      { at, executionOwner: runOwner, executionLeaseUntil: null, executionStartedAt: at },
      {},
      'execution-started',
      undefined,
      { owner: runOwner },
    );
    if (!executing) return this.refuseAsCurrent(approvalId);
    return executing;
  }

  /** Appends one executed step (and its result) to the audit log. */
  async logStep(approval: Approval, detail: unknown): Promise<void> {
    await this.store.appendAuditLog({
      ...this.logContext(approval),
      at: this.now().toISOString(),
      kind: 'step',
      detail,
    });
  }

  /** Ends this owner's execution with its outcome and result (the re-audit verdict included). */
  async finishExecution(
    approvalId: string,
    outcome: 'succeeded' | 'failed',
    result: unknown,
    error?: string,
    runOwner: string = this.owner,
  ): Promise<Approval> {
    const at = this.now().toISOString();
    const patch: ApprovalPatch = { at, finishedAt: at, result, executionLeaseUntil: null };
    if (error !== undefined) patch.error = error;
    const current = await this.store.getApproval(approvalId);
    if (!current) throw new RemediationRefused('not-found', `There is no approval ${approvalId}.`);
    const finished = await this.cas(
      current,
      'executing',
      outcome,
      patch,
      { executionOwner: runOwner },
      'execution-finished',
      undefined,
      {
        outcome,
        result,
        ...(error !== undefined ? { error } : {}),
      },
    );
    if (!finished) return this.refuseNotOwner(approvalId, runOwner);
    return finished;
  }

  /**
   * Executions that may have been interrupted: every `executing` approval, less those still under an
   * expiry on the row itself (written by versions before the lease port; honoured until it passes). The
   * workflow keeps those whose lease lapsed.
   */
  async executionsToCheck(): Promise<Approval[]> {
    const now = this.now().getTime();
    const executing = await this.store.listApprovals({ states: ['executing'], limit: 1000 });
    return executing.filter(
      (a) => a.executionLeaseUntil === undefined || Date.parse(a.executionLeaseUntil) <= now,
    );
  }

  /**
   * Approvals approved at least `approvedAbandonedAfterMs` ago and never started: their process died (or
   * the re-derive failed) between the decision and beginExecution. The start-up resume re-derives and
   * runs them (or they become stale), like any approved plan.
   */
  async abandonedApprovals(): Promise<Approval[]> {
    const cutoff = this.now().getTime() - this.abandonedAfterMs;
    const approved = await this.store.listApprovals({ states: ['approved'], limit: 1000 });
    return approved.filter((a) => Date.parse(a.decidedAt ?? a.updatedAt) <= cutoff);
  }

  /**
   * Takes over an interrupted execution (its lease lapsed; the caller holds it now) so `runOwner` can run
   * the same plan again; the executor's re-read-before-each-step makes that safe. Exactly one caller wins
   * (the version guard: nobody moved it since it was read).
   */
  async resumeInterrupted(approvalId: string, runOwner: string = this.owner): Promise<Approval> {
    const approval = await this.store.getApproval(approvalId);
    if (!approval) throw new RemediationRefused('not-found', `There is no approval ${approvalId}.`);
    const now = this.now();
    const resumed = await this.cas(
      approval,
      'executing',
      'executing',
      { at: now.toISOString(), executionOwner: runOwner, executionLeaseUntil: null },
      { leaseLapsedAt: now.toISOString(), version: approval.version },
      'execution-resumed',
      undefined,
      { previousOwner: approval.executionOwner ?? null, owner: runOwner, replica: this.owner },
    );
    if (!resumed) {
      const current = await this.store.getApproval(approvalId);
      const running =
        current?.state === 'executing'
          ? ` It is still running under ${current.executionOwner ?? 'another owner'}.`
          : '';
      throw new RemediationRefused(
        'already-decided',
        `${current ? describeApprovalState(current) : `Approval ${approvalId} is gone.`}${running}`,
      );
    }
    return resumed;
  }

  /** Moves every request past its expiry to `expired` (so cards can be updated); returns those moved. */
  async expireOverdue(): Promise<Approval[]> {
    const now = this.now();
    const pending = await this.store.listApprovals({ states: ['requested'], limit: 1000 });
    const expired: Approval[] = [];
    for (const approval of pending) {
      if (now.getTime() < Date.parse(approval.expiresAt)) continue;
      const moved = await this.cas(
        approval,
        'requested',
        'expired',
        { at: now.toISOString() },
        {},
        'expired',
        SYSTEM_ACTOR,
        {
          reason: 'ttl',
          expiresAt: approval.expiresAt,
        },
      );
      if (moved) expired.push(moved);
    }
    return expired;
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private logContext(approval: Approval): Omit<AuditLogInput, 'at' | 'kind' | 'detail'> {
    return {
      control: approval.control,
      accountId: approval.accountId,
      planHash: approval.planHash,
      approvalId: approval.id,
    };
  }

  /** A compare-and-set transition plus its audit-log line, in one store transaction. */
  private cas(
    approval: Approval,
    from: ApprovalState,
    to: ApprovalState,
    patch: ApprovalPatch,
    guard: TransitionGuard,
    kind: AuditLogKind,
    actor: Actor | ActorRef | undefined,
    detail: Record<string, unknown>,
  ): Promise<Approval | undefined> {
    if (!canTransition(from, to)) {
      throw new CisBotError(
        'APPROVAL_TRANSITION',
        `no transition from ${from} to ${to} in the approval state machine`,
      );
    }
    const log: AuditLogInput = {
      ...this.logContext(approval),
      at: patch.at ?? this.now().toISOString(),
      kind,
      detail: { from, to, ...detail },
      ...(actor ? { actor: toRef(actor), platform: actor.platform } : { platform: 'system' }),
    };
    return this.store.transitionApproval(approval.id, from, to, patch, guard, log);
  }

  /** The CAS lost: someone else moved the approval first. Refuse, saying what happened. */
  private async refuseAsCurrent(approvalId: string, decided?: DecisionInput): Promise<never> {
    const current = await this.store.getApproval(approvalId);
    if (!current) throw new RemediationRefused('not-found', `There is no approval ${approvalId}.`);
    const reason =
      current.state === 'expired' ? 'expired' : current.state === 'stale' ? 'stale' : 'already-decided';
    if (decided) await this.logRefusal(current, decided, reason);
    throw new RemediationRefused(reason, describeApprovalState(current));
  }

  private async refuseNotOwner(approvalId: string, runOwner: string): Promise<never> {
    const current = await this.store.getApproval(approvalId);
    const where = current ? describeApprovalState(current) : `Approval ${approvalId} is gone.`;
    throw new RemediationRefused(
      'already-decided',
      `${runOwner} no longer owns the execution of approval ${approvalId}: ${where}`,
    );
  }

  /** A refused decision, with where it was clicked (and where the approval was requested). */
  private async logRefusal(
    approval: Approval | undefined,
    input: DecisionInput,
    reason: string,
    message?: string,
  ): Promise<void> {
    const { actor, decision, conversation } = input;
    await this.store.appendAuditLog({
      ...(approval ? this.logContext(approval) : { approvalId: input.approvalId }),
      at: this.now().toISOString(),
      kind: 'refused',
      actor: toRef(actor),
      platform: actor.platform,
      detail: {
        decision,
        reason,
        ...(approval ? { state: approval.state } : {}),
        ...(message ? { message } : {}),
        ...(conversation ? { conversation: { platform: conversation.platform, id: conversation.id } } : {}),
        ...(approval?.conversation && conversation
          ? { requestedIn: { platform: approval.conversation.platform, id: approval.conversation.id } }
          : {}),
      },
    });
  }
}
