/** The scheduler's logger port, and the default: one redacted JSON line per event on stderr. */
import { jsonLine } from '../core/redact';

export interface SchedulerLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Lines are redacted (src/core/redact): tokens, secrets and URL queries never reach the log, at any depth. */
export function jsonLog(
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  component = 'scheduler',
): SchedulerLog {
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void =>
      write(jsonLine({ time: new Date().toISOString(), level, component, message, ...fields }));
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

/** Log fields of an error: name, code and message only (no stacks with request data, no secrets). */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { error: error.message, errorName: error.name, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { error: String(error) };
}
