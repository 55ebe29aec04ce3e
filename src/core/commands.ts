/**
 * The chat command grammar shared by Slack (`/cis ...`) and Teams (`cis ...`): one parser, so both
 * platforms accept exactly the same verbs and options. Pure; never throws anything but UsageError.
 */
import { UsageError } from './errors';
import { CONTROL_ID, parseAccountIds, parseControlSelectors, parseWholeNumber } from './inputs';
import { isLevel, type NotificationLevel } from './levels';

export type Command =
  | { verb: 'help' }
  /** `control`: one id (`4.1`), a section (`4`) or a comma-separated list (`4.1,4.3`), as typed. */
  | { verb: 'audit'; control: string; accounts?: string[]; level?: NotificationLevel }
  | { verb: 'remediate'; control: string; accounts?: string[]; level?: NotificationLevel }
  /** A fire drill of the control's alarm (asks for approval: the topic's subscribers are really notified). */
  | { verb: 'drill'; control: string; accounts?: string[]; level?: NotificationLevel }
  | { verb: 'status'; control: string; accounts?: string[]; level?: NotificationLevel }
  | { verb: 'history'; limit?: number }
  | { verb: 'digest-now'; schedule?: string }
  | { verb: 'schedule-list' };

export const USAGE = [
  'Usage:',
  '  <control> audit [--account ID[,ID...]] [--level error|info|verbose]   audit a control, e.g. 4.1 audit (a list: 4.1,4.3 audit; the section: 4 audit)',
  '  <control> remediate [--account ID]                                   propose a fix for approval',
  '  <control> drill [--account ID]                                       fire the alarm for real, after approval, and prove notifications arrive',
  '  <control> status [--account ID]                                      last audit results',
  '  history [--limit N]                                                  the audit log',
  '  digest now [--schedule NAME]                                         post the compliance digest now',
  '  schedule list                                                        schedules and their next run',
  '  help                                                                 this text',
].join('\n');

/** Splits on whitespace and reads `--flag value` / `--flag=value` options. */
function tokenize(text: string): { words: string[]; options: Map<string, string> } {
  const words: string[] = [];
  const options = new Map<string, string>();
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (!token.startsWith('--')) {
      words.push(token.toLowerCase());
      continue;
    }
    const eq = token.indexOf('=');
    const name = (eq === -1 ? token.slice(2) : token.slice(2, eq)).toLowerCase();
    let value = eq === -1 ? tokens[i + 1] : token.slice(eq + 1);
    if (eq === -1) i++;
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new UsageError(`Option --${name} needs a value.\n${USAGE}`);
    }
    if (options.has(name)) throw new UsageError(`Option --${name} is given twice.`);
    value = value.trim();
    options.set(name, value);
  }
  return { words, options };
}

function takeOptions(options: Map<string, string>, allowed: readonly string[]): void {
  for (const name of options.keys()) {
    if (!allowed.includes(name)) {
      const hint = allowed.length ? ` Allowed here: ${allowed.map((a) => `--${a}`).join(', ')}.` : '';
      throw new UsageError(`Unknown option --${name}.${hint}`);
    }
  }
}

function parseAccounts(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const accounts = parseAccountIds(value);
  if (!accounts.ok) {
    throw new UsageError(
      `--account takes 12-digit AWS account ids separated by commas; got "${accounts.bad}".`,
    );
  }
  return accounts.items;
}

function parseLevel(value: string | undefined): NotificationLevel | undefined {
  if (value === undefined) return undefined;
  if (!isLevel(value)) throw new UsageError(`--level must be error, info or verbose; got "${value}".`);
  return value;
}

/** Parses the text after the command word (`/cis` in Slack, `cis` in Teams). */
export function parseCommand(text: string): Command {
  const { words, options } = tokenize(text);
  const [first, second, ...rest] = words;
  if (first === undefined || first === 'help') {
    takeOptions(options, []);
    return { verb: 'help' };
  }
  if (first === 'history' && second === undefined) {
    takeOptions(options, ['limit']);
    const raw = options.get('limit');
    if (raw === undefined) return { verb: 'history' };
    const limit = parseWholeNumber(raw, 1, 200);
    if (limit === undefined) {
      throw new UsageError(`--limit must be a whole number from 1 to 200; got "${raw}".`);
    }
    return { verb: 'history', limit };
  }
  if (first === 'digest' && second === 'now' && rest.length === 0) {
    takeOptions(options, ['schedule']);
    const schedule = options.get('schedule');
    return schedule === undefined ? { verb: 'digest-now' } : { verb: 'digest-now', schedule };
  }
  if (first === 'schedule' && second === 'list' && rest.length === 0) {
    takeOptions(options, []);
    return { verb: 'schedule-list' };
  }
  if (parseControlSelectors(first).ok) {
    if (second !== 'audit' && second !== 'remediate' && second !== 'status' && second !== 'drill') {
      throw new UsageError(
        `"${second ?? ''}" is not something I can do with control ${first}: use audit, remediate, drill or status.\n${USAGE}`,
      );
    }
    if (rest.length > 0) throw new UsageError(`Unexpected "${rest.join(' ')}".\n${USAGE}`);
    if (second !== 'audit' && !CONTROL_ID.test(first)) {
      throw new UsageError(
        `${second} takes one control, such as 4.1 (a section or a list is for audit: ${first} audit).`,
      );
    }
    takeOptions(options, ['account', 'level']);
    const accounts = parseAccounts(options.get('account'));
    const level = parseLevel(options.get('level'));
    return {
      verb: second,
      control: first,
      ...(accounts ? { accounts } : {}),
      ...(level ? { level } : {}),
    };
  }
  throw new UsageError(`I don't know "${words.join(' ')}".\n${USAGE}`);
}
