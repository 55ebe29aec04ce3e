/**
 * The chat-only additions to the remediation cards of src/core/remediation: the plan once decided (its
 * buttons give way to who decided and when) and a one-line notice for refusals and stops.
 */
import type { Card } from '../cards';
import type { Approval } from '../ports/store';
import { type Plan, planCard } from '../remediation';

/** The plan card once decided: the same plan, without buttons, ending with the decision. */
export function decidedPlanCard(plan: Plan, approval: Approval): Card {
  const who = approval.decidedBy?.displayName ?? approval.decidedBy?.userId ?? 'someone';
  const verb = approval.state === 'rejected' ? 'Rejected' : 'Approved';
  const when = (approval.decidedAt ?? approval.updatedAt)
    .replace('T', ' ')
    .replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  const card = planCard(plan);
  return {
    summary: `${verb} by ${who}: remediation of CIS ${plan.control} in account ${plan.accountId}`,
    elements: [...card.elements, { type: 'context', text: `${verb} by ${who} at ${when}` }],
  };
}

/** A safe one-card notice (stale or expired plans, stops). */
export function noticeCard(text: string): Card {
  return { summary: text, elements: [{ type: 'text', text }] };
}
