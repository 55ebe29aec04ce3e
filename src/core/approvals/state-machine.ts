/**
 * The approval state machine: which transitions exist, and how to tell a person what state an approval
 * is in (who decided, when) when their click arrives too late. Pure.
 *
 *   requested ──approve──▶ approved ──begin──▶ executing ──finish──▶ succeeded | failed
 *       │  └──reject──▶ rejected   └──plan changed──▶ stale   ↺ resume (lease lapsed: new owner)
 *       └──TTL passed──▶ expired                               ↺ heartbeat (same owner renews lease)
 *
 * Terminal: succeeded, failed, rejected, expired, stale. Every transition is a compare-and-set in the
 * store, so only one of several concurrent callers makes it.
 */
import type { ActorRef, Approval, ApprovalState } from '../ports/store';

export const TRANSITIONS: Readonly<Record<ApprovalState, readonly ApprovalState[]>> = {
  requested: ['approved', 'rejected', 'expired'],
  approved: ['executing', 'stale'],
  executing: ['executing', 'succeeded', 'failed'],
  succeeded: [],
  failed: [],
  rejected: [],
  expired: [],
  stale: [],
};

export function canTransition(from: ApprovalState, to: ApprovalState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isTerminal(state: ApprovalState): boolean {
  return TRANSITIONS[state].length === 0;
}

/** "Alice (U012ABC)" or "U012ABC". */
export function describeActor(actor: Pick<ActorRef, 'userId' | 'displayName'>): string {
  return actor.displayName ? `${actor.displayName} (${actor.userId})` : actor.userId;
}

function decided(approval: Approval): string {
  const who = approval.decidedBy ? describeActor(approval.decidedBy) : 'someone';
  const when = approval.decidedAt ?? approval.updatedAt;
  return `by ${who} at ${when}`;
}

/** One sentence saying where an approval stands, for refusals of late or repeated clicks. */
export function describeApprovalState(approval: Approval): string {
  const name = `Approval ${approval.id}`;
  switch (approval.state) {
    case 'requested':
      return `${name} is still waiting for a decision (it expires at ${approval.expiresAt}).`;
    case 'approved':
      return `${name} was already approved ${decided(approval)}.`;
    case 'rejected':
      return `${name} was already rejected ${decided(approval)}.`;
    case 'executing':
      return `${name} was approved ${decided(approval)} and is being executed since ${approval.executionStartedAt ?? approval.updatedAt}.`;
    case 'succeeded':
      return `${name} was approved ${decided(approval)}; its execution succeeded at ${approval.finishedAt ?? approval.updatedAt}.`;
    case 'failed':
      return `${name} was approved ${decided(approval)}; its execution failed at ${approval.finishedAt ?? approval.updatedAt}${approval.error ? `: ${approval.error}` : ''}.`;
    case 'expired':
      return `${name} expired at ${approval.expiresAt} without a decision; ask for a new plan.`;
    case 'stale':
      return `${name} became stale at ${approval.updatedAt}: the account changed since the plan was shown; ask for a new plan.`;
    default: {
      const unknown: never = approval.state;
      return `${name} is in an unknown state ${String(unknown)}.`;
    }
  }
}
