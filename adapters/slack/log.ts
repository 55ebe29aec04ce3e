/**
 * Bolt's `Logger` over the bot's logger port, so Bolt, its WebClient, the Socket Mode client and our
 * handlers write the bot's one line format (src/logger.ts: pino, stderr, redacted). Bolt and the Web API
 * call it with loose arguments; our handlers with one object `{event, ...fields}`: strings become the
 * message, plain objects become fields, an error becomes `error`, and an event without words is its own
 * message.
 */
import type { Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { LogFields, Logger, LogLevelName } from '../../src/core/ports/logger';
import { redactValue } from '../../src/core/redact';

/**
 * The lowest level written is the bot's (LOG_LEVEL), applied by the logger behind the port; Bolt's
 * setLevel (it calls it while constructing) is only remembered for getLevel.
 */
export function boltLogger(log: Logger, level: LogLevelName = 'info'): BoltLogger {
  let current = level as LogLevel;
  const emit = (lineLevel: LogLevelName, args: unknown[]) => {
    const fields: Record<string, unknown> = {};
    const words: string[] = [];
    for (const arg of args) {
      if (arg instanceof Error) fields.error = arg;
      else if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) Object.assign(fields, arg);
      else words.push(typeof arg === 'string' ? arg : JSON.stringify(redactValue(arg)));
    }
    // Joined before the port redacts it: Bolt may pass "secret is" and the secret as separate arguments.
    const msg = words.length > 0 ? words.join(' ') : typeof fields.event === 'string' ? fields.event : '';
    log[lineLevel](msg, fields as LogFields);
  };
  return {
    debug: (...msg: unknown[]) => emit('debug', msg),
    info: (...msg: unknown[]) => emit('info', msg),
    warn: (...msg: unknown[]) => emit('warn', msg),
    error: (...msg: unknown[]) => emit('error', msg),
    setLevel: (next: LogLevel) => {
      current = next;
    },
    getLevel: () => current,
    // The component is fixed by whoever made the logger behind the port (`slack`).
    setName: () => {},
  };
}
