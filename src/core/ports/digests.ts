/**
 * The digest port: what the chat core needs from the scheduler for `/cis digest now` and
 * `/cis schedule list` without importing it (src/scheduler implements it). The cards that answer those
 * commands are in core/present/schedule-cards.ts.
 */
import type { Card } from '../cards';
import type { DigestDelivery, DigestSummary } from '../digest/summary';
import type { NotificationLevel } from '../levels';
import type { Platform } from './chat';
import type { ActorRef } from './store';

export interface ScheduleInfo {
  name: string;
  cron: string;
  timezone: string;
  level: NotificationLevel;
  controls: string[];
  /** Conversation ids it posts to, keyed by platform id. */
  targets: Record<Platform, string[]>;
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
