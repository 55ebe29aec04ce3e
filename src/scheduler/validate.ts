/**
 * Start-up validation of the configured digest schedules, beyond what the config schema can say: the
 * cron expression (node-cron's own parser, so what we accept is what runs), the IANA time zone, the
 * controls, and the targets. Every problem is collected into one ConfigError naming the schedule.
 */
import { parse, validateDetailed } from 'node-cron';
import { CONTROLS, type ControlRegistry, sections } from '../core/controls/registry';
import { ConfigError } from '../core/errors';
import type { PlatformCatalog } from '../core/platforms';
import type { Platform } from '../core/ports/chat';
import type { ScheduleSettings } from './settings';

export interface ValidateOptions {
  controls?: ControlRegistry;
  /** Platforms that have a poster; a schedule targeting another one is a configuration error. */
  platforms?: readonly Platform[];
  /** Every platform's settings, for the words that point at its configuration. */
  catalog?: PlatformCatalog;
}

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
export function scheduleProblems(s: ScheduleSettings, options: ValidateOptions = {}): string[] {
  const registry = options.controls ?? CONTROLS;
  const problems: string[] = [];
  const cron = cronProblem(s.cron);
  if (cron) problems.push(cron);
  const tz = timeZoneProblem(s.timezone);
  if (tz) problems.push(tz);
  for (const control of s.controls) {
    // A control id, or a whole section (`4`).
    if (!registry.has(control) && !sections(registry).includes(control)) {
      const known = [
        ...registry.keys(),
        ...sections(registry).map((x) => `${x} (every control of section ${x})`),
      ];
      problems.push(`unknown control "${control}" (known: ${known.join(', ')}).`);
    }
  }
  const targeted = Object.entries(s.targets).filter(([, ids]) => ids.length > 0);
  if (targeted.length === 0) {
    const where = Object.values(options.catalog ?? {})
      .map((p) => p.wording.targetsSetting)
      .filter((text) => text !== '');
    problems.push(
      `no targets: list ${where.length ? where.join(' and/or ') : 'conversation ids under targets.<platform>'}.`,
    );
  }
  if (options.platforms) {
    for (const [platform] of targeted) {
      if (options.platforms.includes(platform)) continue;
      const wording = options.catalog?.[platform]?.wording;
      problems.push(
        wording
          ? `targets ${wording.targets} but ${wording.notConfigured}.`
          : `targets the platform "${platform}", which is not configured.`,
      );
    }
  }
  return problems;
}

/** Throws one ConfigError listing every problem of every schedule. */
export function validateSchedules(
  schedules: readonly ScheduleSettings[],
  options: ValidateOptions = {},
): void {
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
