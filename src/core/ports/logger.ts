/**
 * The logging port: what the core, the scheduler and the chat adapters log through. One event is one
 * call: a short message and the event's own fields. Implementations write the one line format of the
 * bot (src/logger.ts: `time`, `level`, `component`, `msg`, then the fields) and redact secrets, so a
 * caller never formats or redacts anything itself. Fields must not reuse the line's own names (time,
 * level, component, msg).
 */

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}
