/**
 * The card a digest gains when its schedule exports findings (`export: { securityhub: true }`): how many
 * reached Security Hub, and which failed and why, so the channel knows the hub is not up to date.
 */
import type { Card } from '../cards';
import { type ExportSummary, exportSummaryText } from '../report/security-hub-export';

export function exportCard(summary: ExportSummary): Card {
  const text = exportSummaryText(summary);
  if (summary.failed.length === 0) return { summary: text, elements: [{ type: 'context', text }] };
  return {
    summary: text,
    elements: [
      { type: 'text', text: `Security Hub export incomplete. ${text}` },
      {
        type: 'table',
        columns: ['Control', 'Account', 'Error', 'Reason'],
        rows: summary.failed.slice(0, 10).map((f) => [f.control, f.accountId, f.code, f.message]),
      },
      ...(summary.failed.length > 10
        ? [{ type: 'context' as const, text: `…and ${summary.failed.length - 10} more (see the bot log).` }]
        : []),
    ],
  };
}
