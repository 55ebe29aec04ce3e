/**
 * The cards answering `/cis schedule list` and the receipt of `/cis digest now`. Pure; platforms are named
 * by the label their settings give (`labelOf`).
 */
import type { Card, CardElement } from '../cards';
import { localTime } from '../digest/format';
import type { DigestDelivery } from '../digest/summary';
import type { Platform } from '../ports/chat';
import type { DigestResult, ScheduleInfo } from '../ports/digests';

/** A platform's name in a card, e.g. `Slack` for `slack`. */
export type PlatformLabel = (platform: Platform) => string;

function targetText(targets: ScheduleInfo['targets'], labelOf: PlatformLabel): string {
  const parts = Object.entries(targets).flatMap(([platform, ids]) =>
    ids.map((id) => `${labelOf(platform)} ${id}`),
  );
  return parts.join(', ') || 'none';
}

/** The answer to `/cis schedule list`. */
export function scheduleListCard(schedules: readonly ScheduleInfo[], labelOf: PlatformLabel): Card {
  if (schedules.length === 0) {
    const text = 'No digest schedules are configured (add `schedules:` to the configuration file).';
    return { summary: 'No digest schedules', elements: [{ type: 'text', text }] };
  }
  const elements: CardElement[] = [
    { type: 'heading', text: `Digest schedules (${schedules.length})` },
    {
      type: 'table',
      columns: ['Schedule', 'Cron', 'Next run', 'Controls', 'Level', 'Targets'],
      rows: schedules.map((s) => [
        s.name,
        s.cron,
        s.nextRunLocal,
        s.controls.join(', '),
        s.level,
        targetText(s.targets, labelOf),
      ]),
    },
  ];
  return {
    summary: `${schedules.length} digest schedule(s); next: ${schedules[0]?.name} at ${schedules[0]?.nextRunLocal}`,
    elements,
  };
}

/** The receipt of a digest run: where it went, what failed. */
export function digestReceipt(
  result: Omit<DigestResult, 'receipt'>,
  timeZone: string,
  labelOf: PlatformLabel,
): Card {
  const when = localTime(result.at, timeZone);
  const ok = result.deliveries.filter((d) => d.error === undefined);
  const failed = result.deliveries.filter((d) => d.error !== undefined);
  const where = (d: DigestDelivery) => `${labelOf(d.platform)} ${d.id}`;
  let text: string;
  switch (result.outcome) {
    case 'returned':
      text = `Digest "${result.schedule}" (${when}).`;
      break;
    case 'nothing-to-post':
      text = `Digest "${result.schedule}": nothing to report at level error (${when}).`;
      break;
    case 'skipped-duplicate':
      text = `Digest "${result.schedule}" was already posted for ${when}.`;
      break;
    default:
      text = ok.length
        ? `Digest "${result.schedule}" posted to ${ok.map(where).join(', ')}.`
        : `Digest "${result.schedule}" could not be posted.`;
  }
  const elements: CardElement[] = [{ type: 'text', text }];
  for (const d of failed) elements.push({ type: 'context', text: `Not posted to ${where(d)}: ${d.error}` });
  return { summary: text, elements };
}
