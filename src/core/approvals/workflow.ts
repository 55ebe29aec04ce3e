/**
 * The one approval workflow: every kind of approval (remediations now; exceptions and fire drills next)
 * goes through it, from the proposal to its resumption after a crash:
 *
 *   propose -> (request) -> decide -> execute (re-check, begin under a lease, run, finish) -> resume
 *
 * It owns what every kind shares: authorization and platform binding (authorize.ts), the state machine,
 * the TTL and the audit log (through the ledger, ledger.ts), the exclusion lease every run holds
 * (execution-lease.ts: one lease per account through LeaseStore, renewed in the background), automatic
 * approval, and the resumption of executions whose lease lapsed (by any live replica, resume-scanner.ts). What is particular to a kind (what is approved, how it
 * is derived, checked, run and shown) is its handler (kind.ts), registered by name at composition time;
 * adding a kind changes nothing here. Every subject is stored content-addressed in the plan store before
 * its approval is requested, so what an approver saw is exactly what runs.
 */
import type { Card } from '../cards';
import { CisBotError, type RefusalReason, RemediationRefused } from '../errors';
import { accountLeaseKey, leaseOwner } from '../leases';
import type { Actor, ConversationRef } from '../ports/chat';
import { type Metrics, NO_METRICS } from '../ports/metrics';
import type { ActorRef, Approval, ConversationPointer, LeaseStore, PlanStore } from '../ports/store';
import type { Decision } from './authorize';
import { DEFAULT_LEASE_TIMING, ExecutionLeaseLost, HeldLease, type LeaseTiming } from './execution-lease';
import type { AnyKindHandler, ApprovalKindHandler, ApprovalSubject, KindTypes, RunContext } from './kind';
import {
  ApprovalLedger,
  type ApprovalLedgerOptions,
  type ApprovalLedgerStore,
  type MessagePointer,
  SYSTEM_ACTOR,
} from './ledger';
import { describeApprovalState } from './state-machine';

/** The handlers of a workflow, keyed by kind name (which must equal each handler's `kind`). */
export type KindRegistry = { readonly [kind: string]: AnyKindHandler };

type KindName<K extends KindRegistry> = keyof K & string;
type TypesOf<H> = H extends ApprovalKindHandler<infer T> ? T : never;

/** An execution of kind `N`: the approval as it ended, the kind's outcome, and the card that shows it. */
export type Execution<N extends string, T extends KindTypes> = {
  kind: N;
  approval: Approval;
  card: Card;
} & T['outcome'];

/** An execution of any of the registered kinds. */
export type Executed<K extends KindRegistry> = {
  [N in KindName<K>]: Execution<N, TypesOf<K[N]>>;
}[KindName<K>];

/** A progress report of a running approval: the kind's event, and its line for a chat thread. */
export type Progress<K extends KindRegistry> = {
  [N in KindName<K>]: { kind: N; event: TypesOf<K[N]>['event']; card: Card | undefined };
}[KindName<K>];

export type ProgressListener<K extends KindRegistry> = (update: Progress<K>) => void | Promise<void>;

/** What resumptions report to, e.g. the approval's chat thread (resume-scanner.ts). */
export interface ResumeHooks<K extends KindRegistry> {
  /** Where the progress of a resumed approval goes. */
  progressFor?(approval: Approval): ProgressListener<K> | undefined;
  /** This replica took an interrupted execution over (from `previousOwner`); called before its next step. */
  onTakeover?(approval: Approval, previousOwner: string | undefined): Promise<void>;
}

/** One resumption: the execution, or why it did not happen (another replica won, the account is busy…). */
export type ResumeOutcome<K extends KindRegistry> =
  | Executed<K>
  | { approvalId: string; error: string; reason?: RefusalReason };

/** What an automatic run ended with: the execution, or the proposal when there was nothing to approve. */
export type AutomaticRun<N extends string, T extends KindTypes> =
  | { executed: Execution<N, T> }
  | { proposal: T['proposal'] };

/** The ledger's options (clock, ids, replica), the stores, the kinds, and the lease timing. */
export interface ApprovalWorkflowOptions<K extends KindRegistry>
  extends Omit<ApprovalLedgerOptions, 'store'> {
  store: PlanStore & ApprovalLedgerStore & LeaseStore;
  /** One handler per kind, keyed by its name. */
  kinds: K;
  /** Where decisions are counted (by kind, decision and outcome); default: nowhere. */
  metrics?: Metrics;
  /** How long a run's lease lasts and how often it is renewed; default 30 s and 10 s. */
  leases?: LeaseTiming;
}

function toRef(actor: Actor | ActorRef): ActorRef {
  return {
    platform: actor.platform,
    userId: actor.userId,
    ...(actor.displayName !== undefined ? { displayName: actor.displayName } : {}),
  };
}

export class ApprovalWorkflow<K extends KindRegistry> {
  private readonly ledger: ApprovalLedger;
  private readonly store: PlanStore & LeaseStore;
  private readonly kinds: K;
  private readonly now: () => Date;
  private readonly metrics: Metrics;
  private readonly leases: LeaseTiming;
  /** Approvals this process is checking or running now: its own resume scan leaves them alone. */
  private readonly running = new Set<string>();

  constructor(options: ApprovalWorkflowOptions<K>) {
    for (const [name, handler] of Object.entries(options.kinds)) {
      if (handler.kind !== name) {
        throw new CisBotError(
          'APPROVAL_KIND',
          `the handler registered as "${name}" is for "${handler.kind}"`,
        );
      }
    }
    this.ledger = new ApprovalLedger(options);
    this.store = options.store;
    this.kinds = options.kinds;
    this.now = options.now ?? (() => new Date());
    this.metrics = options.metrics ?? NO_METRICS;
    const timing = options.settings.executions;
    this.leases =
      options.leases ??
      (timing ? { leaseMs: timing.leaseMs, renewMs: timing.renewMs } : DEFAULT_LEASE_TIMING);
  }

  /** This process/replica, as the owner of the executions it runs. */
  get owner(): string {
    return this.ledger.owner;
  }

  get(approvalId: string): Promise<Approval | undefined> {
    return this.ledger.get(approvalId);
  }

  /**
   * Works out what `input` would change and, when there is something to approve, stores it and asks for
   * its approval (expiring after the TTL). Answers with the kind's proposal.
   */
  propose<N extends KindName<K>>(
    kind: N,
    input: TypesOf<K[N]>['input'],
    requestedBy: Actor | ActorRef,
    conversation?: ConversationPointer,
  ): Promise<TypesOf<K[N]>['proposal']> {
    const handler = this.handler(kind);
    const requester = toRef(requestedBy);
    return handler.propose(input, {
      requestedBy: requester,
      request: async (subject) => {
        await this.saveSubject(subject);
        return this.ledger.request({
          kind,
          planHash: subject.hash,
          control: subject.control,
          accountId: subject.accountId,
          requestedBy: requester,
          ...(conversation ? { conversation } : {}),
        });
      },
    });
  }

  /**
   * Records `actor`'s decision, or refuses it (RemediationRefused: not-found, expired, already-decided,
   * forbidden, self-approval, a platform other than the request's, a click in another conversation than
   * the request's), audit-logging either way. `conversation`: where a chat decision was clicked;
   * `message`: the message and thread it was clicked on (kept, so a resumed run reports there).
   */
  async decide(
    approvalId: string,
    actor: Actor,
    decision: Decision,
    conversation?: ConversationRef,
    message?: MessagePointer,
  ): Promise<Approval> {
    try {
      const decided = await this.ledger.decide({
        approvalId,
        actor,
        decision,
        ...(conversation ? { conversation } : {}),
        ...(message ? { message } : {}),
      });
      this.metrics.approvalDecision({ kind: decided.kind, decision, outcome: 'recorded' });
      return decided;
    } catch (error) {
      const refused = await this.ledger.get(approvalId).catch(() => undefined);
      this.metrics.approvalDecision({
        kind: refused?.kind ?? 'unknown',
        decision,
        outcome: error instanceof RemediationRefused ? error.reason : 'error',
      });
      throw error;
    }
  }

  /** The card of a decided approval: what was approved or rejected, by whom and when. */
  async decidedCard(approval: Approval): Promise<Card> {
    const handler = this.handler(approval.kind);
    const subject = await this.loadSubject(approval);
    return handler.present.decided(subject.body, approval);
  }

  /**
   * Runs an approval in state `approved`: its subject is derived again and the approval becomes stale if
   * it changed; otherwise exactly one caller begins it under a lease and runs it, once.
   */
  async execute(approvalId: string, onProgress?: ProgressListener<K>): Promise<Executed<K>> {
    const approval = await this.ledger.get(approvalId);
    if (!approval) {
      throw new RemediationRefused('not-found', `There is no approval ${approvalId}; ask for a new plan.`);
    }
    return this.executeApproved(approval, onProgress);
  }

  /** Approves as `actor` (refusing what `decide` refuses) and executes. */
  async approveAndExecute(
    approvalId: string,
    actor: Actor,
    onProgress?: ProgressListener<K>,
  ): Promise<Executed<K>> {
    const approval = await this.decide(approvalId, actor, 'approve');
    return this.executeApproved(approval, onProgress);
  }

  /**
   * Picks up an approval a crash left behind: `approved` but never started (checked and started as
   * usual), or `executing` with a lapsed lease (taken over through the lease, then the SAME subject runs
   * again under a new owner; the kind's run skips what is already done).
   */
  async resume(approvalId: string, hooks: ResumeHooks<K> = {}): Promise<Executed<K>> {
    const approval = await this.ledger.get(approvalId);
    if (!approval) throw new RemediationRefused('not-found', `There is no approval ${approvalId}.`);
    const onProgress = hooks.progressFor?.(approval);
    if (approval.state === 'approved') return this.executeApproved(approval, onProgress);
    if (approval.state !== 'executing') {
      throw new RemediationRefused('already-decided', describeApprovalState(approval));
    }
    const handler = this.handler(approval.kind);
    const subject = await this.loadSubject(approval);
    // The lease first: of several replicas resuming it, only the one holding the lease takes it over.
    return this.underLease(approval, handler, subject, async (lease) => {
      const resumed = await this.ledger.resumeInterrupted(approvalId, lease.owner);
      await hooks.onTakeover?.(resumed, approval.executionOwner);
      return this.run(handler, resumed, subject, lease, onProgress, true);
    });
  }

  /**
   * Executions whose lease lapsed (their replica died or lost the store), other than this process's own
   * runs. An execution whose account lease some other work holds now waits until that work releases it.
   */
  async interruptedExecutions(): Promise<Approval[]> {
    const interrupted: Approval[] = [];
    for (const approval of await this.ledger.executionsToCheck()) {
      if (this.running.has(approval.id)) continue;
      const key = this.exclusionKey(this.handler(approval.kind), await this.loadSubject(approval));
      const lease = await this.store.getLease(key);
      if (lease && Date.parse(lease.expiresAt) > this.now().getTime()) continue;
      interrupted.push(approval);
    }
    return interrupted;
  }

  /**
   * Resumes everything a crash left behind (every live replica calls it periodically, resume-scanner.ts):
   * executions whose lease lapsed, and approvals approved a while ago but never started. One failure does
   * not stop the others; a race lost to another replica is an outcome with its reason, not an error.
   */
  async resumeInterrupted(hooks: ResumeHooks<K> = {}): Promise<Array<ResumeOutcome<K>>> {
    const out: Array<ResumeOutcome<K>> = [];
    const pending = [
      ...(await this.interruptedExecutions()),
      ...(await this.ledger.abandonedApprovals()).filter((a) => !this.running.has(a.id)),
    ];
    for (const approval of pending) {
      try {
        out.push(await this.resume(approval.id, hooks));
      } catch (error) {
        out.push({
          approvalId: approval.id,
          error: error instanceof Error ? error.message : String(error),
          ...(error instanceof RemediationRefused ? { reason: error.reason } : {}),
        });
      }
    }
    return out;
  }

  /**
   * Proposes, approves as cis-bot itself and executes without a person, where the kind's policy allows
   * it (a remediation: `default_action: remediate`, an explicit opt-in); refused otherwise. Audit-logged
   * like any approval, with the policy as the reason.
   */
  async runAutomatically<N extends KindName<K>>(
    kind: N,
    input: TypesOf<K[N]>['input'],
    onProgress?: ProgressListener<K>,
  ): Promise<AutomaticRun<N, TypesOf<K[N]>>> {
    const handler = this.handler(kind);
    if (!handler.automaticApproval) {
      throw new RemediationRefused(
        'forbidden',
        `Approvals of kind "${kind}" are never granted automatically.`,
      );
    }
    const reason = handler.automaticApproval(input);
    let approved: { approval: Approval; subject: ApprovalSubject<unknown> } | undefined;
    const proposal = await handler.propose(input, {
      requestedBy: SYSTEM_ACTOR,
      request: async (subject) => {
        await this.saveSubject(subject);
        const approval = await this.ledger.approveAutomatically({
          kind,
          planHash: subject.hash,
          control: subject.control,
          accountId: subject.accountId,
          reason,
        });
        approved = { approval, subject };
        this.metrics.approvalDecision({ kind, decision: 'approve', outcome: 'automatic' });
        return approval;
      },
    });
    if (!approved) return { proposal };
    // Derived a moment ago and approved by policy: it runs as derived, without a second derivation. While
    // the account is busy it stays approved, for the resume scan to re-derive and run later.
    const { approval, subject } = approved;
    const executed = await this.underLease(approval, handler, subject, async (lease) => {
      const executing = await this.ledger.beginExecution(approval.id, subject.hash, undefined, lease.owner);
      return this.run(handler, executing, subject, lease, onProgress);
    });
    return { executed: executed as Execution<N, TypesOf<K[N]>> };
  }

  /** Moves every request past its expiry to `expired` (so its card can be updated); returns those moved. */
  expireOverdue(): Promise<Approval[]> {
    return this.ledger.expireOverdue();
  }

  // ---- internals ----------------------------------------------------------------------------------

  private handler(kind: string): AnyKindHandler {
    const handler = this.kinds[kind];
    if (!handler) {
      throw new CisBotError(
        'APPROVAL_KIND',
        `approvals of kind "${kind}" are not handled by this cis-bot (it handles ${Object.keys(this.kinds).join(', ')})`,
      );
    }
    return handler;
  }

  private async executeApproved(approval: Approval, onProgress?: ProgressListener<K>): Promise<Executed<K>> {
    if (approval.state !== 'approved') {
      const reason =
        approval.state === 'requested'
          ? 'forbidden'
          : approval.state === 'expired' || approval.state === 'stale'
            ? approval.state
            : 'already-decided';
      const hint = approval.state === 'requested' ? ' It must be approved first.' : '';
      throw new RemediationRefused(reason, `${describeApprovalState(approval)}${hint}`);
    }
    const handler = this.handler(approval.kind);
    const stored = await this.loadSubject(approval);
    // Re-checked under the account's lease: nothing else changes the account between check and run.
    return this.underLease(approval, handler, stored, async (lease) => {
      const { subject, blocked } = await handler.recheck(stored, approval);
      const executing = await this.ledger.beginExecution(approval.id, subject.hash, blocked, lease.owner);
      return this.run(handler, executing, subject, lease, onProgress);
    });
  }

  /** The lease key a kind's run holds: the kind's own, or the subject's account (`account:<id>`). */
  private exclusionKey(handler: AnyKindHandler, subject: ApprovalSubject<unknown>): string {
    return handler.exclusionKey?.(subject) ?? accountLeaseKey(subject.accountId);
  }

  /**
   * Runs `work` holding the approval's exclusion lease (owner `<kind> <id>@<replica>`), renewed in the
   * background and released at the end. Refuses while another piece of work holds the key, or while this
   * process already works on the approval.
   */
  private async underLease<T>(
    approval: Approval,
    handler: AnyKindHandler,
    subject: ApprovalSubject<unknown>,
    work: (lease: HeldLease) => Promise<T>,
  ): Promise<T> {
    if (this.running.has(approval.id)) {
      throw new RemediationRefused('already-decided', `${describeApprovalState(approval)} (on this replica)`);
    }
    this.running.add(approval.id);
    try {
      const key = this.exclusionKey(handler, subject);
      const owner = leaseOwner(approval.kind, approval.id, this.owner);
      let lease: HeldLease;
      try {
        lease = await HeldLease.acquire(this.store, key, owner, this.leases, this.now);
      } catch (error) {
        if (!(error instanceof RemediationRefused)) throw error;
        throw new RemediationRefused(
          error.reason,
          `Approval ${approval.id} cannot run now: ${error.message} It stays ${approval.state}; cis-bot runs it once that is done.`,
        );
      }
      try {
        return await work(lease);
      } finally {
        await lease.release();
      }
    } finally {
      this.running.delete(approval.id);
    }
  }

  private async run(
    handler: AnyKindHandler,
    approval: Approval,
    subject: ApprovalSubject<unknown>,
    lease: HeldLease,
    onProgress: ProgressListener<K> | undefined,
    resumed = false,
  ): Promise<Executed<K>> {
    const ctx: RunContext<unknown> = {
      approval,
      resumed,
      heartbeat: () => lease.confirm(),
      logStep: (detail) => this.ledger.logStep(approval, detail),
      progress: async (event) => {
        try {
          await onProgress?.({
            kind: handler.kind,
            event,
            card: handler.present.progress(event),
          } as Progress<K>);
        } catch {
          // A chat post that failed must not abort a half-done execution.
        }
      },
    };
    let ran: Awaited<ReturnType<AnyKindHandler['run']>>;
    try {
      ran = await handler.run(subject, ctx);
    } catch (error) {
      // A lost (or unconfirmable) lease is not a failure of the run: it stays executing, and the replica
      // that holds the lease next resumes it.
      if (error instanceof ExecutionLeaseLost || lease.isLost) throw error;
      const message = error instanceof Error ? error.message : String(error);
      await this.ledger
        .finishExecution(
          approval.id,
          'failed',
          { error: message },
          `execution aborted: ${message}`,
          lease.owner,
        )
        .catch(() => undefined); // not ours any more: the new owner finishes it
      throw error;
    }
    const finished = await this.ledger.finishExecution(
      approval.id,
      ran.state,
      ran.result,
      ran.error,
      lease.owner,
    );
    return {
      ...ran.outcome,
      kind: handler.kind,
      approval: finished,
      card: handler.present.outcome(ran.outcome),
    } as Executed<K>;
  }

  private async saveSubject(subject: ApprovalSubject<unknown>): Promise<void> {
    await this.store.savePlan({
      hash: subject.hash,
      control: subject.control,
      accountId: subject.accountId,
      ...(subject.region !== undefined ? { region: subject.region } : {}),
      createdAt: this.now().toISOString(),
      plan: subject.body,
    });
  }

  private async loadSubject(approval: Approval): Promise<ApprovalSubject<unknown>> {
    const record = await this.store.getPlan(approval.planHash);
    if (!record) {
      throw new RemediationRefused(
        'not-found',
        `The plan ${approval.planHash} is not in the store; ask for a new plan.`,
      );
    }
    return {
      hash: record.hash,
      control: record.control,
      accountId: record.accountId,
      ...(record.region !== undefined ? { region: record.region } : {}),
      body: record.plan,
    };
  }
}
