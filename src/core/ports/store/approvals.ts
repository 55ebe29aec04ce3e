/**
 * The approval store port: the persisted approval state machine. Every transition is a compare-and-set
 * (from-state plus optional owner, lease and version guards, checked and written atomically) with its
 * audit-log line written in the same transaction, so double clicks, replicas and restarts move an
 * approval at most once.
 */
import type { AuditLogInput } from './audit-log';
import type { ActorRef, ConversationPointer } from './common';

/**
 *   requested --approve--> approved --begin--> executing --finish--> succeeded | failed
 *       |  \--reject--> rejected       \--plan changed--> stale       ^  (resume: executing -> executing
 *       \--ttl passed--> expired                                      |   with a new owner once the
 *                                                                     |   previous owner's lease lapsed)
 * Terminal: succeeded, failed, rejected, expired, stale.
 */
export const APPROVAL_STATES = [
  'requested',
  'approved',
  'executing',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'stale',
] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const TERMINAL_APPROVAL_STATES: readonly ApprovalState[] = [
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'stale',
];

/**
 * What an approval approves: a remediation plan today; exceptions and fire drills later. Open-ended: each
 * kind is a handler registered at composition time, the store keeps the name.
 */
export type ApprovalKind = string;

export interface Approval {
  id: string;
  kind: ApprovalKind;
  /**
   * The subject: the content hash of the stored record of exactly what is approved (the plan store's
   * key; for a remediation, its plan), and the control and account it concerns.
   */
  planHash: string;
  control: string;
  accountId: string;
  state: ApprovalState;
  requestedBy: ActorRef;
  conversation?: ConversationPointer;
  createdAt: string;
  expiresAt: string;
  /** Time of the last transition. */
  updatedAt: string;
  /** Incremented by every transition (including executing -> executing on resume or lease renewal). */
  version: number;
  decidedBy?: ActorRef;
  decidedAt?: string;
  /** The process/replica running the plan while `executing`. */
  executionOwner?: string;
  /** The owner's lease on the execution; past it, the execution counts as interrupted. */
  executionLeaseUntil?: string;
  executionStartedAt?: string;
  finishedAt?: string;
  result?: unknown;
  error?: string;
}

export interface NewApproval {
  id: string;
  kind: ApprovalKind;
  planHash: string;
  control: string;
  accountId: string;
  requestedBy: ActorRef;
  conversation?: ConversationPointer;
  createdAt: string;
  expiresAt: string;
}

/** Fields a transition may set. Omitted fields keep their value; `null` clears a nullable field. */
export interface ApprovalPatch {
  /** The transition time (becomes updatedAt); defaults to the store's current time. */
  at?: string;
  decidedBy?: ActorRef;
  decidedAt?: string;
  executionOwner?: string | null;
  executionLeaseUntil?: string | null;
  executionStartedAt?: string;
  finishedAt?: string;
  result?: unknown;
  error?: string | null;
  /** E.g. to record the messageRef once the approval card has been posted (with from = to). */
  conversation?: ConversationPointer;
}

/** Extra compare-and-set conditions, all of which must hold for the transition to happen. */
export interface TransitionGuard {
  /** The current executionOwner must equal this. */
  executionOwner?: string;
  /** The current execution lease must be absent or have lapsed at this time (ISO). */
  leaseLapsedAt?: string;
  /** The current version must equal this. */
  version?: number;
}

export interface ApprovalQuery {
  states?: readonly ApprovalState[];
  /** Default 100. */
  limit?: number;
}

export interface ApprovalStore {
  /**
   * Creates an approval in state `requested` with version 0 and updatedAt = createdAt. Its plan must
   * have been saved first (rejects otherwise); an id used before rejects. `log`, when given, is appended
   * to the audit log in the same transaction (approvalId defaults to the new id).
   */
  createApproval(approval: NewApproval, log?: AuditLogInput): Promise<Approval>;
  getApproval(id: string): Promise<Approval | undefined>;
  /**
   * Compare-and-set: moves the approval to `to` and applies `patch` only if its current state is `from`
   * (or one of `from`) and the guard holds, atomically, incrementing its version. Returns the updated
   * approval, or undefined when the condition did not hold (someone else won, or the id is unknown).
   * This is what makes double clicks, a second replica or a restart run a plan at most once. `log`, when
   * given, is appended to the audit log in the same transaction, only if the transition happened
   * (approvalId defaults to `id`).
   */
  transitionApproval(
    id: string,
    from: ApprovalState | readonly ApprovalState[],
    to: ApprovalState,
    patch?: ApprovalPatch,
    guard?: TransitionGuard,
    log?: AuditLogInput,
  ): Promise<Approval | undefined>;
  /** Newest first (by createdAt, then by creation order); default limit 100. */
  listApprovals(query?: ApprovalQuery): Promise<Approval[]>;
}
