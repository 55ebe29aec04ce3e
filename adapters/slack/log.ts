/**
 * Structured JSON logging for the Slack adapter, shaped as Bolt's `Logger` so Bolt, the WebClient and our
 * handlers share one sink. Every line is one JSON object; tokens, secrets and response URLs are redacted
 * before anything is written, whoever logs it, at any depth (src/core/redact).
 */
import { type Logger, LogLevel } from '@slack/bolt';
import { redactFields, redactText, redactValue } from '../../src/core/redact';

const RANK: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 10,
  [LogLevel.INFO]: 20,
  [LogLevel.WARN]: 30,
  [LogLevel.ERROR]: 40,
};

/** Removes anything that looks like a credential from a string (the shared rules of src/core/redact). */
export function redact(text: string): string {
  return redactText(text);
}

export interface JsonLoggerOptions {
  level?: LogLevel | 'debug' | 'info' | 'warn' | 'error';
  name?: string;
  /** Where lines go; stdout by default. */
  write?: (line: string) => void;
}

/**
 * A Bolt-compatible logger writing one JSON object per line. Call it as `logger.info({event, ...fields})`
 * or with strings (Bolt does): strings become `msg`, plain objects are merged in, errors become `error`.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  let level = (options.level ?? LogLevel.INFO) as LogLevel;
  let name = options.name ?? 'slack';
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (lineLevel: LogLevel, args: unknown[]) => {
    if (RANK[lineLevel] < RANK[level]) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level: lineLevel, name };
    const words: string[] = [];
    for (const arg of args) {
      if (arg instanceof Error) entry.error = arg;
      else if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) Object.assign(entry, arg);
      else words.push(typeof arg === 'string' ? arg : JSON.stringify(redactValue(arg)));
    }
    // Joined before redaction: Bolt may pass "secret is" and the secret as separate arguments.
    if (words.length) entry.msg = redactText(words.join(' '));
    write(JSON.stringify(redactFields(entry)));
  };
  return {
    debug: (...msg: unknown[]) => emit(LogLevel.DEBUG, msg),
    info: (...msg: unknown[]) => emit(LogLevel.INFO, msg),
    warn: (...msg: unknown[]) => emit(LogLevel.WARN, msg),
    error: (...msg: unknown[]) => emit(LogLevel.ERROR, msg),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next: string) => {
      name = next;
    },
  };
}
