/**
 * A digest schedule as the scheduler receives it: the configuration's `schedules:` entries, with targets
 * keyed by platform id (the file's `targets.slack` / `targets.teams`), so no platform is named here.
 */
import type { NotificationLevel } from '../core/levels';
import type { Platform } from '../core/ports/chat';

export interface ScheduleSettings {
  name: string;
  cron: string;
  timezone: string;
  controls: readonly string[];
  accounts: readonly string[];
  level: NotificationLevel;
  /** Conversation ids to post to, keyed by platform id. */
  targets: Readonly<Record<Platform, readonly string[]>>;
  /** A run missed while the bot was down is caught up at start-up if it is at most this old. */
  catch_up_minutes: number;
  /** Scheduled runs also send their findings to Security Hub (`export: { securityhub: true }`). */
  export?: { securityhub?: boolean };
}
