/**
 * What a kind of approval (a remediation now; exceptions and fire drills next) plugs into the one approval
 * workflow: how its subject is worked out and asked for, re-checked and run once approved, and shown.
 * The workflow owns everything else (authorization, the state machine, TTL, platform binding, the audit
 * log, execution leases and resume), so adding a kind is one handler and its cards, registered at
 * composition time (src/runtime.ts), with no change to the workflow.
 */
import type { Card } from '../cards';
import type { ActorRef, Approval } from '../ports/store';

/** The types one kind works with. */
export interface KindTypes {
  /** What `propose` is asked with (a remediation: the control and account). */
  input: unknown;
  /** The stored, hashed record of exactly what is approved (a remediation: its plan). */
  subject: unknown;
  /** What `propose` answers with (a remediation: the plan, and its approval request when there is one). */
  proposal: unknown;
  /** The progress a run reports (a remediation: each step started and finished). */
  event: unknown;
  /** What a run ends with; its fields are part of the workflow's execution result. */
  outcome: object;
}

/** What is approved: its content hash (its identity), what it concerns, and its JSON body. */
export interface ApprovalSubject<S> {
  hash: string;
  control: string;
  accountId: string;
  region?: string;
  body: S;
}

export interface ProposeContext<S> {
  /** Who asks (cis-bot itself for automatic runs). */
  readonly requestedBy: ActorRef;
  /**
   * Stores `subject` and asks for its approval (state `requested`, audit-logged), or, for an automatic
   * run, approves it as cis-bot. Call it at most once; not calling it means there is nothing to approve.
   */
  request(subject: ApprovalSubject<S>): Promise<Approval>;
}

export interface RunContext<E> {
  /** The approval, in state `executing` under this process's lease. */
  readonly approval: Approval;
  /** This run took over an execution whose owner was interrupted (`resume`), rather than starting it. */
  readonly resumed: boolean;
  /**
   * Confirms (and renews) the run's lease; call it before every step. Rejects when the lease was lost
   * (taken over after it lapsed) or cannot be confirmed: the run must stop before that step.
   */
  heartbeat(): Promise<void>;
  /** Appends one executed step to the audit log; rejects when the write fails (the run must stop). */
  logStep(detail: unknown): Promise<void>;
  /** Tells whoever watches (the chat thread, the CLI); display only, it never throws. */
  progress(event: E): Promise<void>;
}

/** How a run ended: its outcome for the caller, and what the approval record keeps. */
export interface RunResult<O> {
  outcome: O;
  state: 'succeeded' | 'failed';
  /** Stored on the approval (JSON). */
  result: unknown;
  /** One line stored on the approval when it failed. */
  error?: string;
}

/** The subject as it would be derived now; a different hash or a block makes the approval stale. */
export interface Recheck<S> {
  subject: ApprovalSubject<S>;
  /** Why the subject can no longer be run even if its hash is unchanged. */
  blocked?: string;
}

export interface ApprovalKindHandler<T extends KindTypes> {
  /** The kind's name, stored on every approval of it. */
  readonly kind: string;
  /** Works out what to ask approval for and, when there is something, asks through `ctx.request`. */
  propose(input: T['input'], ctx: ProposeContext<T['subject']>): Promise<T['proposal']>;
  /**
   * The reason, logged with the approval, why `input` may be approved without a person; throws a
   * RemediationRefused('forbidden') when it may not. Kinds without it are never approved automatically.
   */
  automaticApproval?(input: T['input']): string;
  /**
   * The lease key its runs hold (one lease port, ports/store/leases.ts), so that work on the same thing
   * excludes each other on every replica. Default: the subject's account, `account:<id>`
   * (core/leases.ts), which remediations, fire drills and re-audits after an event all share.
   */
  exclusionKey?(subject: ApprovalSubject<T['subject']>): string;
  /** Derives the approved subject again from the state now, just before it runs. */
  recheck(stored: ApprovalSubject<T['subject']>, approval: Approval): Promise<Recheck<T['subject']>>;
  /**
   * Runs the approved subject once, under the execution lease: calls `ctx.heartbeat` between steps and
   * `ctx.logStep` after each. A resumed run gets the same subject again, so each step must check whether
   * it is already done (and cleanup must be safe to repeat).
   */
  run(subject: ApprovalSubject<T['subject']>, ctx: RunContext<T['event']>): Promise<RunResult<T['outcome']>>;
  /** Its cards (built in core/present). */
  present: {
    /** The request once decided: what was approved or rejected, by whom and when. */
    decided(subject: T['subject'], approval: Approval): Card;
    /** A progress line for the thread, or undefined for events not worth a line. */
    progress(event: T['event']): Card | undefined;
    /** The end of a run (for a remediation: the re-audit verdict). */
    outcome(outcome: T['outcome']): Card;
  };
}

/** Any handler, as registered with the workflow. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds handlers of different kinds' types.
export type AnyKindHandler = ApprovalKindHandler<any>;
