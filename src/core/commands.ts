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
  /** Ask for an accepted exception (`deviation`: only the metric filter that fails now). */
  | {
      verb: 'except';
      control: string;
      accountId: string;
      reason: string;
      until: string;
      deviation?: boolean;
    }
  | { verb: 'exceptions'; accounts?: string[] }
  | { verb: 'history'; limit?: number }
  | { verb: 'digest-now'; schedule?: string }
  | { verb: 'schedule-list' };

export const USAGE = [
  'Usage:',
  '  <control> audit [--account ID[,ID...]] [--level error|info|verbose]   audit a control, e.g. 4.1 audit (a list: 4.1,4.3 audit; the section: 4 audit)',
  '  <control> remediate [--account ID]                                   propose a fix for approval',
  '  <control> drill [--account ID]                                       fire the alarm for real, after approval, and prove notifications arrive',
  '  <control> status [--account ID]                                      last audit results',
  '  <control> except --account ID --reason "why" --until YYYY-MM-DD [--deviation]   ask to accept a failing control until a date',
  '  exceptions [--account ID]                                            accepted exceptions in force',
  '  history [--limit N]                                                  the audit log',
  '  digest now [--schedule NAME]                                         post the compliance digest now',
  '  schedule list                                                        schedules and their next run',
  '  help                                                                 this text',
].join('\n');

/** Options that take no value (present means true). */
const FLAGS: ReadonlySet<string> = new Set(['deviation']);

/**
 * Whitespace-separated tokens; a double-quoted part (straight or the curly quotes chat clients type)
 * keeps its spaces: `--reason "legacy users"` is one value.
 */
function splitTokens(text: string): string[] {
  const tokens = text.match(/(?:[^\s"“”]+|"[^"]*"?|“[^”]*”?)+/g) ?? [];
  return tokens.map((t) => t.replace(/["“”]/g, ''));
}

/** Splits into words and reads `--flag value` / `--flag=value` options (and value-less FLAGS). */
function tokenize(text: string): { words: string[]; options: Map<string, string> } {
  const words: string[] = [];
  const options = new Map<string, string>();
  const tokens = splitTokens(text.trim());
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (!token.startsWith('--')) {
      words.push(token.toLowerCase());
      continue;
    }
    const eq = token.indexOf('=');
    const name = (eq === -1 ? token.slice(2) : token.slice(2, eq)).toLowerCase();
    if (FLAGS.has(name) && eq === -1) {
      if (options.has(name)) throw new UsageError(`Option --${name} is given twice.`);
      options.set(name, 'true');
      continue;
    }
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
  if (first === 'exceptions' && second === undefined) {
    takeOptions(options, ['account']);
    const accounts = parseAccounts(options.get('account'));
    return { verb: 'exceptions', ...(accounts ? { accounts } : {}) };
  }
  if (second === 'except' && first !== undefined && CONTROL_ID.test(first)) {
    if (rest.length > 0) {
      throw new UsageError(
        `Unexpected "${rest.join(' ')}": put the reason in quotes, --reason "why it is accepted".`,
      );
    }
    return parseExcept(first, options);
  }
  if (first === 'schedule' && second === 'list' && rest.length === 0) {
    takeOptions(options, []);
    return { verb: 'schedule-list' };
  }
  if (parseControlSelectors(first).ok) {
    if (second !== 'audit' && second !== 'remediate' && second !== 'status' && second !== 'drill') {
      throw new UsageError(
        `"${second ?? ''}" is not something I can do with control ${first}: use audit, remediate, drill, status or except.\n${USAGE}`,
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

/** `<control> except --account ID --reason "…" --until YYYY-MM-DD [--deviation]`: all three required. */
function parseExcept(control: string, options: Map<string, string>): Command {
  takeOptions(options, ['account', 'reason', 'until', 'deviation']);
  const missing = ['account', 'reason', 'until'].filter((o) => !options.has(o));
  if (missing.length > 0) {
    throw new UsageError(
      `${control} except needs ${missing.map((m) => `--${m}`).join(', ')}: ${control} except --account ID --reason "why" --until YYYY-MM-DD`,
    );
  }
  const accounts = parseAccounts(options.get('account')) ?? [];
  const [accountId] = accounts;
  if (!accountId || accounts.length !== 1) {
    throw new UsageError('An exception is for one account: --account takes one 12-digit AWS account id.');
  }
  return {
    verb: 'except',
    control,
    accountId,
    reason: options.get('reason') as string,
    until: options.get('until') as string,
    ...(options.has('deviation') ? { deviation: true } : {}),
  };
}
