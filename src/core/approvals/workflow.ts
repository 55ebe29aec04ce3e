/**
 * The one approval workflow: every kind of approval (remediations now; exceptions and fire drills next)
 * goes through it, from the proposal to its resumption after a crash:
 *
 *   propose -> (request) -> decide -> execute (re-check, begin under a lease, run, finish) -> resume
 *
 * It owns what every kind shares: authorization and platform binding (authorize.ts), the state machine,
 * the TTL and the audit log (through the ledger, ledger.ts), execution leases, automatic approval, and
 * the resumption of executions a crash interrupted. What is particular to a kind (what is approved, how it
 * is derived, checked, run and shown) is its handler (kind.ts), registered by name at composition time;
 * adding a kind changes nothing here. Every subject is stored content-addressed in the plan store before
 * its approval is requested, so what an approver saw is exactly what runs.
 */
import type { Card } from '../cards';
import { CisBotError, RemediationRefused } from '../errors';
import type { Actor, ConversationRef } from '../ports/chat';
import { type Metrics, NO_METRICS } from '../ports/metrics';
import type { ActorRef, Approval, ConversationPointer, PlanStore } from '../ports/store';
import type { Decision } from './authorize';
import type { AnyKindHandler, ApprovalKindHandler, ApprovalSubject, KindTypes, RunContext } from './kind';
import { ApprovalLedger, type ApprovalLedgerOptions, type ApprovalLedgerStore, SYSTEM_ACTOR } from './ledger';
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

/** What an automatic run ended with: the execution, or the proposal when there was nothing to approve. */
export type AutomaticRun<N extends string, T extends KindTypes> =
  | { executed: Execution<N, T> }
  | { proposal: T['proposal'] };

/** The ledger's options (clock, ids, owner, execution lease length), the plan store, and the kinds. */
export interface ApprovalWorkflowOptions<K extends KindRegistry>
  extends Omit<ApprovalLedgerOptions, 'store'> {
  store: PlanStore & ApprovalLedgerStore;
  /** One handler per kind, keyed by its name. */
  kinds: K;
  /** Where decisions are counted (by kind, decision and outcome); default: nowhere. */
  metrics?: Metrics;
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
  private readonly store: PlanStore;
  private readonly kinds: K;
  private readonly now: () => Date;
  private readonly metrics: Metrics;

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
   * the request's), audit-logging either way. `conversation`: where a chat decision was clicked.
   */
  async decide(
    approvalId: string,
    actor: Actor,
    decision: Decision,
    conversation?: ConversationRef,
  ): Promise<Approval> {
    try {
      const decided = await this.ledger.decide({
        approvalId,
        actor,
        decision,
        ...(conversation ? { conversation } : {}),
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
   * usual), or `executing` with a lapsed lease (the SAME subject runs again under a new owner; the kind's
   * run skips what is already done).
   */
  async resume(approvalId: string, onProgress?: ProgressListener<K>): Promise<Executed<K>> {
    const approval = await this.ledger.get(approvalId);
    if (!approval) throw new RemediationRefused('not-found', `There is no approval ${approvalId}.`);
    if (approval.state === 'approved') return this.executeApproved(approval, onProgress);
    const handler = this.handler(approval.kind);
    const resumed = await this.ledger.resumeInterrupted(approvalId);
    return this.run(handler, resumed, await this.loadSubject(resumed), onProgress);
  }

  /**
   * Resumes everything a crash left behind (call at start-up): executions whose lease lapsed, and
   * approvals approved a while ago but never started. One failure does not stop the others.
   */
  async resumeInterrupted(
    onProgress?: ProgressListener<K>,
  ): Promise<Array<Executed<K> | { approvalId: string; error: string }>> {
    const out: Array<Executed<K> | { approvalId: string; error: string }> = [];
    const pending = [
      ...(await this.ledger.interruptedExecutions()),
      ...(await this.ledger.abandonedApprovals()),
    ];
    for (const approval of pending) {
      try {
        out.push(await this.resume(approval.id, onProgress));
      } catch (error) {
        out.push({ approvalId: approval.id, error: error instanceof Error ? error.message : String(error) });
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
    // Derived a moment ago and approved by policy: it runs as derived, without a second derivation.
    const executing = await this.ledger.beginExecution(approved.approval.id, approved.subject.hash);
    const executed = await this.run(handler, executing, approved.subject, onProgress);
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
    const { subject, blocked } = await handler.recheck(await this.loadSubject(approval), approval);
    const executing = await this.ledger.beginExecution(approval.id, subject.hash, blocked);
    return this.run(handler, executing, subject, onProgress);
  }

  private async run(
    handler: AnyKindHandler,
    approval: Approval,
    subject: ApprovalSubject<unknown>,
    onProgress: ProgressListener<K> | undefined,
  ): Promise<Executed<K>> {
    const ctx: RunContext<unknown> = {
      approval,
      heartbeat: async () => {
        await this.ledger.heartbeat(approval.id);
      },
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
      const message = error instanceof Error ? error.message : String(error);
      await this.ledger
        .finishExecution(approval.id, 'failed', { error: message }, `execution aborted: ${message}`)
        .catch(() => undefined); // not ours any more: the new owner finishes it
      throw error;
    }
    const finished = await this.ledger.finishExecution(approval.id, ran.state, ran.result, ran.error);
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
