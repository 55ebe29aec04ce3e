/**
 * A decided card followed by the end of its work (the re-audit verdict), for the adapters that update the
 * clicked message when the work is done. From the fullest to the shortest, so an adapter takes the first
 * that fits its platform's message limits.
 */
import type { Card } from '../cards';

export function cardWithVerdict(card: Card, verdict: Card): Card[] {
  return [
    { summary: verdict.summary, elements: [...card.elements, { type: 'divider' }, ...verdict.elements] },
    { summary: verdict.summary, elements: [...card.elements, { type: 'context', text: verdict.summary }] },
    { summary: verdict.summary, elements: [{ type: 'context', text: verdict.summary }] },
  ];
}
