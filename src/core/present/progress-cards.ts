/**
 * An audit in progress as a card: "Auditing 1,000 accounts: 312 done, 3 errors so far". Chat adapters
 * put it in one message they update (at their platform's rate) and then replace with the result.
 */
import type { Card } from '../cards';
import type { AuditProgressEvent } from '../ports/audit-progress';
import { controlsLabel } from './controls-cards';

const n = (x: number) => x.toLocaleString('en-US');

export function progressText(e: AuditProgressEvent): string {
  const what = `Auditing ${n(e.total)} account${e.total === 1 ? '' : 's'}`;
  if (e.done === 0) return `${what}…`;
  const problems = [
    ...(e.nonCompliant > 0 ? [`${n(e.nonCompliant)} non-compliant`] : []),
    `${n(e.errors)} error${e.errors === 1 ? '' : 's'}`,
  ];
  return `${what}: ${n(e.done)} done, ${problems.join(', ')} so far`;
}

export function auditProgressCard(e: AuditProgressEvent): Card {
  const text = progressText(e);
  const controls = e.controls.length === 1 ? `CIS ${e.controls[0]}` : controlsLabel(e.controls);
  return {
    summary: text,
    elements: [
      { type: 'text', text },
      { type: 'context', text: `${controls}: the result replaces this message when every account is done.` },
    ],
  };
}
