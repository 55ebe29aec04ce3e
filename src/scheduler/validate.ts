/**
 * Start-up validation of the configured digest schedules, beyond what the config schema can say: the
 * cron expression (node-cron's own parser, so what we accept is what runs), the IANA time zone, the
 * controls, and the targets. Every problem is collected into one ConfigError naming the schedule.
 */
import { parse, validateDetailed } from 'node-cron';
import type { ScheduleConfig } from '../config/schema';
import { CONTROLS, type ControlRegistry } from '../core/controls/registry';
import { ConfigError } from '../core/errors';
import type { Platform } from '../core/ports/chat';

export interface ValidateOptions {
  controls?: ControlRegistry;
  /** Platforms that have a poster; a schedule targeting another one is a configuration error. */
  platforms?: readonly Platform[];
}

const PLATFORM_SETUP: Record<'slack' | 'teams', string> = {
  slack: 'Slack is not configured (set SLACK_BOT_TOKEN)',
  teams: 'Teams is not configured (set MicrosoftAppId and MicrosoftAppPassword)',
};

/** The problem with a cron expression, or undefined when node-cron accepts it and it fires at most once a minute. */
export function cronProblem(expression: string): string | undefined {
  const detail = validateDetailed(expression);
  if (!detail.valid) {
    const why = detail.errors.map((e) =>
      e.field === 'expression' ? e.message : `${e.field} field: ${e.message}`,
    );
    return `cron expression "${expression}" is not valid: ${why.join('; ') || 'unrecognised'}. Use five fields (minute hour day-of-month month day-of-week), e.g. "0 7 * * 1-5".`;
  }
  // Runs are keyed by minute, so a schedule may fire at most once a minute.
  if (parse(expression).second.length !== 1) {
    return `cron expression "${expression}" fires more than once a minute; a digest runs at most once a minute (use five fields).`;
  }
  return undefined;
}

export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    return `unknown time zone "${timeZone}": use an IANA name such as "Europe/London", "America/New_York" or "UTC".`;
  }
}

/** The problems of one schedule, as sentences. */
export function scheduleProblems(s: ScheduleConfig, options: ValidateOptions = {}): string[] {
  const registry = options.controls ?? CONTROLS;
  const problems: string[] = [];
  const cron = cronProblem(s.cron);
  if (cron) problems.push(cron);
  const tz = timeZoneProblem(s.timezone);
  if (tz) problems.push(tz);
  for (const control of s.controls) {
    if (!registry.has(control)) {
      problems.push(`unknown control "${control}" (known: ${[...registry.keys()].join(', ')}).`);
    }
  }
  if (s.targets.slack.length === 0 && s.targets.teams.length === 0) {
    problems.push(
      'no targets: list Slack channel ids under targets.slack and/or Teams conversation ids under targets.teams.',
    );
  }
  if (options.platforms) {
    for (const platform of ['slack', 'teams'] as const) {
      if (s.targets[platform].length > 0 && !options.platforms.includes(platform)) {
        problems.push(
          `targets ${platform === 'slack' ? 'Slack channels' : 'Teams conversations'} but ${PLATFORM_SETUP[platform]}.`,
        );
      }
    }
  }
  return problems;
}

/** Throws one ConfigError listing every problem of every schedule. */
export function validateSchedules(schedules: readonly ScheduleConfig[], options: ValidateOptions = {}): void {
  const lines: string[] = [];
  const seen = new Set<string>();
  schedules.forEach((s, i) => {
    const where = `schedules[${i}] "${s.name}"`;
    if (seen.has(s.name))
      lines.push(`  - ${where}: the name is used by another schedule; names must be unique.`);
    seen.add(s.name);
    for (const problem of scheduleProblems(s, options)) lines.push(`  - ${where}: ${problem}`);
  });
  if (lines.length > 0)
    throw new ConfigError(`Invalid digest schedules in the configuration:\n${lines.join('\n')}`);
}
