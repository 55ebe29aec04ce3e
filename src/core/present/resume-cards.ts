/**
 * What a chat thread is told when a run another replica started is picked up after an interruption (its
 * replica died, or lost its lease): by whom, when, and that the steps already done are skipped.
 */
import type { Card } from '../cards';
import type { Approval } from '../ports/store';

export function resumedCard(approval: Approval, previousOwner: string | undefined): Card {
  const by = approval.executionOwner ?? 'another replica';
  const at = approval.updatedAt;
  const text =
    `Resumed after an interruption: approval ${approval.id} was taken over at ${at} by ${by}` +
    `${previousOwner ? ` (it was run by ${previousOwner}, which stopped renewing its lease)` : ''}. ` +
    'Each remaining step re-reads AWS first; steps already done are skipped.';
  return { summary: `Resumed after an interruption (${by}, ${at})`, elements: [{ type: 'context', text }] };
}
