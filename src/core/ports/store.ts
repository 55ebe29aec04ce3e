/**
 * The store port: everything cis-bot keeps between requests and across restarts (audit runs and
 * findings, remediation plans, the approval state machine, the append-only audit log, Teams
 * conversation references, scheduled-run leases, once-only keys). Platform-neutral and driver-free: the embedded SQLite
 * implementation lives in src/store, and a server database can implement the same interface later.
 *
 * Conventions: plain data only; timestamps are ISO-8601 strings (UTC, as `Date#toISOString` writes
 * them); JSON payloads are `unknown` and round-trip through JSON. Every method is async so a networked
 * database fits. Every write fails loudly: a failed write rejects with a StoreError, never drops data.
 */
import type { Platform } from '../chat-core';
import { CisBotError } from '../errors';

/**
 * A store read or write failed, or the database cannot be used (e.g. written by a newer cis-bot).
 * Unlike other CisBotErrors its message is for the log and the CLI only: it can carry SQLite driver text
 * and file paths, so chat edge handlers show `StoreError.chatText(ref)` instead and log the message.
 */
export class StoreError extends CisBotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE', message, options);
  }

  /** What a chat may be told about a store failure: a reference to the log line, nothing of the detail. */
  static chatText(ref: string): string {
    return `cis-bot's database failed (ref ${ref}). Try again, or ask an admin to look the reference up in the bot's log.`;
  }
}

/** Who did something, as persisted. `system` is cis-bot itself (scheduled runs, `default_action: remediate`). */
export interface ActorRef {
  platform: Platform | 'system';
  userId: string;
  displayName?: string;
}

/** Where an approval was requested, so its message can be updated later. */
export interface ConversationPointer {
  platform: Platform;
  /** Slack channel id, Teams conversation id, or `cli`. */
  id: string;
  /** Slack message ts, Teams activity id: the message that carries the Approve/Reject buttons. */
  messageRef?: string;
}

// ---------------------------------------------------------------------------------------------------
// Audit runs and findings

export type AuditTrigger = 'cli' | 'slack' | 'teams' | 'schedule';

export interface AccountResult {
  accountId: string;
  /** The verdict, e.g. COMPLIANT / NON_COMPLIANT / ERROR (the audit core's vocabulary). */
  status: string;
  /** One line explaining the verdict (which link is broken, which IAM action was denied). */
  reason?: string;
  /** The full finding as JSON. */
  finding: unknown;
}

export interface AuditRunRecord {
  id: string;
  control: string;
  startedAt: string;
  finishedAt: string;
  trigger: AuditTrigger;
  actor?: ActorRef;
  accounts: AccountResult[];
}

/** One account's result within a run, with the run's finish time as `at`. */
export interface StoredFinding extends AccountResult {
  runId: string;
  control: string;
  trigger: AuditTrigger;
  /** The run's finishedAt. */
  at: string;
}

// ---------------------------------------------------------------------------------------------------
// Plans

export interface PlanRecord {
  /** The plan's content hash: the identity of "exactly what will be done". */
  hash: string;
  control: string;
  accountId: string;
  region?: string;
  createdAt: string;
  plan: unknown;
}

// ---------------------------------------------------------------------------------------------------
// Approvals

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

export interface Approval {
  id: string;
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

// ---------------------------------------------------------------------------------------------------
// Audit log

export type AuditLogKind =
  | 'audit'
  | 'plan'
  | 'approval-requested'
  | 'approved'
  | 'rejected'
  | 'refused'
  | 'expired'
  | 'stale'
  | 'execution-started'
  | 'execution-resumed'
  | 'step'
  | 'execution-finished'
  | 'digest'
  | 'schedule-skipped'
  | 'notice';

export interface AuditLogInput {
  at: string;
  kind: AuditLogKind;
  actor?: ActorRef;
  platform?: Platform | 'system';
  control?: string;
  accountId?: string;
  planHash?: string;
  approvalId?: string;
  detail: unknown;
}

export interface AuditLogEntry extends AuditLogInput {
  /** Monotonic sequence number (insertion order); use as the `before` cursor. */
  seq: number;
}

export interface AuditLogQuery {
  /** Newest first; default 50. */
  limit?: number;
  /** Only entries with seq < before (paging backwards). */
  before?: number;
  approvalId?: string;
  kinds?: readonly AuditLogKind[];
}

// ---------------------------------------------------------------------------------------------------
// Conversation references and scheduled runs

export interface StoredConversationRef {
  platform: Platform;
  conversationId: string;
  ref: unknown;
  updatedAt: string;
}

export interface ScheduleRunRecord {
  scheduleName: string;
  fireTime: string;
  owner: string;
  leaseUntil: string;
  claimedAt: string;
  /** How many times the run was claimed (more than 1 after a takeover from a crashed owner). */
  attempts: number;
  completedAt?: string;
  summary?: unknown;
}

// ---------------------------------------------------------------------------------------------------

export interface Store {
  // Audit runs and findings
  recordAuditRun(run: AuditRunRecord): Promise<void>;
  getAuditRun(id: string): Promise<AuditRunRecord | undefined>;
  /** The most recent finding per account for a control (all accounts ever audited when omitted). */
  latestFindings(control: string, accountIds?: readonly string[]): Promise<StoredFinding[]>;
  /** Findings of runs that finished at or after `since`, oldest first (history, "failing for N days"). */
  findingsSince(control: string, since: string, accountIds?: readonly string[]): Promise<StoredFinding[]>;

  // Plans
  /** Idempotent by hash: saving the same hash again keeps the first record. */
  savePlan(plan: PlanRecord): Promise<void>;
  getPlan(hash: string): Promise<PlanRecord | undefined>;

  // Approvals
  /**
   * Creates an approval in state `requested`. The plan must have been saved first. `log`, when given,
   * is appended to the audit log in the same transaction (approvalId defaults to the new id).
   */
  createApproval(approval: NewApproval, log?: AuditLogInput): Promise<Approval>;
  getApproval(id: string): Promise<Approval | undefined>;
  /**
   * Compare-and-set: moves the approval to `to` and applies `patch` only if its current state is `from`
   * (or one of `from`) and the guard holds, atomically. Returns the updated approval, or undefined when
   * the condition did not hold (someone else won, or the id is unknown). This is what makes double
   * clicks, a second replica or a restart run a plan at most once. `log`, when given, is appended to the
   * audit log in the same transaction, only if the transition happened (approvalId defaults to `id`).
   */
  transitionApproval(
    id: string,
    from: ApprovalState | readonly ApprovalState[],
    to: ApprovalState,
    patch?: ApprovalPatch,
    guard?: TransitionGuard,
    log?: AuditLogInput,
  ): Promise<Approval | undefined>;
  /** Newest first; default limit 100. */
  listApprovals(query?: { states?: readonly ApprovalState[]; limit?: number }): Promise<Approval[]>;

  // Audit log (append-only)
  /** Appends one entry; rejects (StoreError) when the write fails. Returns the entry's seq. */
  appendAuditLog(entry: AuditLogInput): Promise<number>;
  listAuditLog(query?: AuditLogQuery): Promise<AuditLogEntry[]>;

  // Conversation references (Teams proactive messages)
  /** Upserts the reference for (platform, conversationId). */
  saveConversationRef(platform: Platform, conversationId: string, ref: unknown): Promise<void>;
  getConversationRef(platform: Platform, conversationId: string): Promise<unknown | undefined>;
  listConversationRefs(platform: Platform): Promise<StoredConversationRef[]>;

  // Scheduled runs (exactly-once digests)
  /**
   * Claims the run of `scheduleName` at `fireTime` for `owner` with a lease of `leaseMs`. True for exactly
   * one claimant: the first, or a later one taking over a lease that lapsed before the run was completed
   * (its owner crashed). A completed run is never claimed again.
   */
  claimScheduleRun(
    scheduleName: string,
    fireTime: string,
    owner: string,
    leaseMs: number,
    now: Date,
  ): Promise<boolean>;
  /** Marks the run completed with its summary (what the next digest compares against). */
  completeScheduleRun(scheduleName: string, fireTime: string, summary: unknown, now?: Date): Promise<void>;
  getScheduleRun(scheduleName: string, fireTime: string): Promise<ScheduleRunRecord | undefined>;
  /** The completed run with the latest fireTime. */
  lastCompletedScheduleRun(
    scheduleName: string,
  ): Promise<{ fireTime: string; completedAt: string; summary: unknown } | undefined>;

  // Once-only keys (replay protection shared by replicas and surviving restarts)
  /**
   * Remembers `key` until `expiresAt` (ISO). True for exactly one caller: the first to present the key,
   * across processes sharing the store; false while the key is remembered. Keys whose expiry is at or
   * before `now` may be purged, after which the key counts as new again, so callers pick an expiry past
   * the time the key could still be accepted.
   */
  rememberOnce(key: string, expiresAt: string, now: Date): Promise<boolean>;

  close(): Promise<void>;
}
