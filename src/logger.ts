/**
 * The one logger of the bot's processes: pino, one JSON line per event on stderr, one field vocabulary:
 *
 *   {"level":"info","time":"2026-12-04T17:10:00.000Z","component":"server","port":3000,"msg":"cis-bot listening"}
 *
 * `time` is ISO 8601, `level` a label (debug, info, warn, error; LOG_LEVEL sets the lowest written),
 * `component` says who logs (server, core, slack, teams, scheduler), `msg` what happened, and the event's
 * own fields sit beside them. Secrets never reach a line, in two layers: pino's `redact` censors the
 * secret fields we know by name (credentials, tokens, passwords, signing secrets) where they are usually
 * put, and every field and message also passes the project's redaction rules (src/core/redact: tokens
 * and URL credentials in free text, secret-named fields at any depth), which pino's fixed-depth paths
 * cannot express. Implements the core's logger port (src/core/ports/logger.ts); src/core never sees pino.
 */
import pino from 'pino';
import type { LogFields, Logger, LogLevelName } from './core/ports/logger';
import { redactFields, redactText } from './core/redact';

export interface LoggerOptions {
  /** The lowest level written (config.env.logLevel, from LOG_LEVEL); default info. */
  level?: LogLevelName;
  /** Where lines go, one call per line without its newline (tests); default stderr. */
  write?: (line: string) => void;
}

/** The logger of one component; every logger of a factory shares one pino instance and destination. */
export type LoggerFactory = (component: string) => Logger;

const CENSOR = '[redacted]';

/** Field names that hold a secret whatever their value looks like, at the top of a line or one level down. */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'appPassword',
  'MicrosoftAppPassword',
  'password',
  'credentials',
  'secretAccessKey',
  'sessionToken',
  'response_url',
];

const REDACT_PATHS = SECRET_FIELDS.flatMap((name) => [name, `*.${name}`]);

export function createLoggerFactory(options: LoggerOptions = {}): LoggerFactory {
  const write = options.write;
  const destination = write
    ? { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) }
    : process.stderr;
  const root = pino(
    {
      level: options.level ?? 'info',
      // No pid/hostname: the line's vocabulary is time, level, component, msg and the event's fields.
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // Runs before pino's `redact` paths, on a copy: errors become {name, message, code}, no stacks.
        log: (fields) => redactFields(fields),
      },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
    },
    destination,
  );
  return (component) => portLogger(root.child({ component }));
}

/** A logger for one component (a scheduler or adapter built on its own, tests). */
export function createLogger(component: string, options?: LoggerOptions): Logger {
  return createLoggerFactory(options)(component);
}

function portLogger(log: pino.Logger): Logger {
  const at =
    (level: LogLevelName) =>
    (msg: string, fields?: LogFields): void => {
      if (log.isLevelEnabled(level)) log[level]({ ...fields }, redactText(msg));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
