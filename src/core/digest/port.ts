/**
 * The digest port: what the chat core needs from the scheduler for `/cis digest now` and
 * `/cis schedule list` without importing it (src/scheduler implements it), and the pure cards that
 * answer those commands.
 */
import type { Card, CardElement } from '../cards';
import type { Platform } from '../chat-core';
import type { NotificationLevel } from '../levels';
import type { ActorRef } from '../ports/store';
import { localTime } from './format';
import type { DigestDelivery, DigestSummary } from './summary';

export interface ScheduleInfo {
  name: string;
  cron: string;
  timezone: string;
  level: NotificationLevel;
  controls: string[];
  targets: { slack: string[]; teams: string[] };
  /** ISO time of the next scheduled run. */
  nextRun: string;
  /** The next run in the schedule's time zone, e.g. `2025-03-02 07:00 Europe/London`. */
  nextRunLocal: string;
}

/** How fire() and runNow() ended. */
export type DigestOutcome =
  | 'posted'
  /** Posted to some targets; others failed (see deliveries). */
  | 'partially-posted'
  /** Every target failed. */
  | 'not-posted'
  /** The level asks for nothing and nothing is wrong (level `error`, all compliant). */
  | 'nothing-to-post'
  /** Not posted: the cards are returned to the caller (runNow with deliver 'none'). */
  | 'returned'
  /** Another run (replica, overlap, restart) already claimed this schedule and minute. */
  | 'skipped-duplicate';

export interface DigestResult {
  schedule: string;
  /** ISO time of the run. */
  at: string;
  outcome: DigestOutcome;
  /** The digest, as posted (or to post, with deliver 'none'). */
  cards: Card[];
  summary: DigestSummary;
  deliveries: DigestDelivery[];
  /** A one-card answer for the person who asked ("posted to ..."). */
  receipt: Card;
}

export interface DigestRunOptions {
  /** `targets` (default): post to the schedule's targets and record the run; `none`: return the cards only. */
  deliver?: 'targets' | 'none';
  /** Overrides the schedule's level (e.g. `--level` on the command). */
  level?: NotificationLevel;
}

export interface DigestPort {
  /** The digest of `scheduleName` (default: the first schedule) now. Unknown name: UsageError. */
  runNow(scheduleName?: string, requestedBy?: ActorRef, options?: DigestRunOptions): Promise<DigestResult>;
  list(): ScheduleInfo[];
}

const PLATFORM_WORD: Record<Platform, string> = { slack: 'Slack', teams: 'Teams', cli: 'CLI' };

function targetText(t: { slack: readonly string[]; teams: readonly string[] }): string {
  const parts = [...t.slack.map((id) => `Slack ${id}`), ...t.teams.map((id) => `Teams ${id}`)];
  return parts.join(', ') || 'none';
}

/** The answer to `/cis schedule list`. */
export function scheduleListCard(schedules: readonly ScheduleInfo[]): Card {
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
        targetText(s.targets),
      ]),
    },
  ];
  return {
    summary: `${schedules.length} digest schedule(s); next: ${schedules[0]?.name} at ${schedules[0]?.nextRunLocal}`,
    elements,
  };
}

/** The receipt of a digest run: where it went, what failed. */
export function digestReceipt(result: Omit<DigestResult, 'receipt'>, timeZone: string): Card {
  const when = localTime(result.at, timeZone);
  const ok = result.deliveries.filter((d) => d.error === undefined);
  const failed = result.deliveries.filter((d) => d.error !== undefined);
  const where = (d: DigestDelivery) => `${PLATFORM_WORD[d.platform as Platform] ?? d.platform} ${d.id}`;
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
