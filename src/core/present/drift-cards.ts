/**
 * The drift alert as a neutral card: which control of which account changed, from what to what, the
 * calls behind it (who, from where, when, which call) and, when the chain is broken, a Remediate button
 * that enters the approval flow like a digest's (`cis:remediate`, value `{"control","accountId"}`).
 * Levels: the alert itself is tagged by `alertLevel` (breaking: error; back to compliant: info); a
 * verbose conversation also sees the chain link by link.
 */
import type { Card, CardElement } from '../cards';
import { clip } from '../digest/format';
import { alertLevel, type DriftAlert } from '../drift/alert';
import type { ChainChange } from '../drift/change-event';
import { type NotificationLevel, shows } from '../levels';
import { ACTION_REMEDIATE } from '../ports/chat';
import { accountName, LINK_MARK, STATUS_WORD } from './audit-cards';

/** Calls listed in one alert at most (a burst is summarised by its count beyond that). */
const MAX_CALLS = 10;

const callName = (c: ChainChange) => `${c.eventName} (${c.eventSource.replace('.amazonaws.com', '')})`;

/** The alert's card at `level`, or undefined when a conversation at that level does not show it. */
export function driftAlertCard(alert: DriftAlert, level: NotificationLevel): Card | undefined {
  if (!shows(level, alertLevel(alert))) return undefined;
  const { after } = alert;
  const account = accountName(after);
  const before = alert.before ? STATUS_WORD[alert.before] : 'not audited before';
  const latest = alert.changes[alert.changes.length - 1];
  const by = latest ? ` after ${latest.eventName} by ${latest.principalArn}` : '';
  const headline =
    after.status === 'COMPLIANT'
      ? `CIS ${alert.control} is compliant again in account ${account}`
      : `CIS ${alert.control} ${STATUS_WORD[after.status]} in account ${account}`;
  const elements: CardElement[] = [
    { type: 'heading', text: clip(headline, 150) },
    { type: 'text', text: clip(after.reason, 1500) },
    {
      type: 'fields',
      fields: [
        { label: 'Before', value: before },
        { label: 'After', value: STATUS_WORD[after.status] },
        ...(latest
          ? [
              { label: 'Who', value: clip(latest.principalArn, 300) },
              { label: 'Source IP', value: clip(latest.sourceIp, 100) },
              { label: 'When', value: latest.eventTime },
              { label: 'Call', value: `${callName(latest)} in ${latest.region}` },
            ]
          : []),
      ],
    },
  ];
  if (alert.changes.length > 1) {
    const shown = alert.changes.slice(-MAX_CALLS);
    elements.push({
      type: 'table',
      columns: ['When', 'Call', 'Region', 'Who', 'Source IP'],
      rows: shown.map((c) => [c.eventTime, callName(c), c.region, clip(c.principalArn, 120), c.sourceIp]),
    });
    if (alert.changes.length > shown.length) {
      elements.push({
        type: 'context',
        text: `${alert.changes.length - shown.length} earlier calls of the same burst not listed.`,
      });
    }
  }
  if (shows(level, 'verbose') && after.links.length > 0) {
    elements.push({
      type: 'table',
      columns: ['Link', 'Status', 'Detail'],
      rows: after.links.map((l) => [l.link, LINK_MARK[l.status], clip(l.detail, 300)]),
    });
  }
  elements.push({
    type: 'context',
    text: `${alert.controlTitle}. Drift alert from CloudTrail: re-audited at ${alert.auditedAt}.`,
  });
  if (after.status === 'NON_COMPLIANT') {
    elements.push({
      type: 'actions',
      buttons: [
        {
          id: ACTION_REMEDIATE,
          label: 'Remediate',
          style: 'primary',
          value: JSON.stringify({ control: alert.control, accountId: after.accountId }),
        },
      ],
    });
  }
  return { summary: clip(`${headline}${by}`, 300), elements };
}
