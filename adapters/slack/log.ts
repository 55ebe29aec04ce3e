/**
 * Structured JSON logging for the Slack adapter, shaped as Bolt's `Logger` so Bolt, the WebClient and our
 * handlers share one sink. Every line is one JSON object; tokens, secrets and response URLs are redacted
 * before anything is written, whoever logs it.
 */
import { type Logger, LogLevel } from '@slack/bolt';

const RANK: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 10,
  [LogLevel.INFO]: 20,
  [LogLevel.WARN]: 30,
  [LogLevel.ERROR]: 40,
};

const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(xox[a-z]|xapp)-[A-Za-z0-9-]+/g, '$1-[redacted]'],
  [/(https?:\/\/[^/\s"']+\/(?:commands|actions|services)\/)[^\s"']+/g, '$1[redacted]'],
  [
    /((?:token|secret|signature|authorization)["']?\s*[:=]\s*["']?)(?:Bearer\s+)?[^"'&\s,}]+/gi,
    '$1[redacted]',
  ],
];
const SECRET_KEY = /token|secret|signature|authorization|password|response_url/i;

/** Removes anything that looks like a credential from a string. */
export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

function sanitize(value: unknown, key = '', depth = 0): unknown {
  if (SECRET_KEY.test(key) && value !== undefined && value !== null) return '[redacted]';
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: redact(value.message),
      ...(code !== undefined ? { code } : {}),
    };
  }
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, '', depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitize(v, k, depth + 1)]));
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
      if (arg instanceof Error) entry.error = sanitize(arg);
      else if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) {
        Object.assign(entry, sanitize(arg));
      } else words.push(typeof arg === 'string' ? redact(arg) : JSON.stringify(sanitize(arg)));
    }
    if (words.length) entry.msg = words.join(' ');
    write(JSON.stringify(entry));
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
