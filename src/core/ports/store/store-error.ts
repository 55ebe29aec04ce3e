/**
 * The one error every store implementation rejects with. Its message is for the log and the CLI only:
 * it can carry driver text and file paths, so chat edge handlers show `StoreError.chatText(ref, kind)`.
 */
import { CisBotError } from '../../errors';

/**
 * Why a store call failed:
 * - `unavailable`: the database cannot be used right now (a locked SQLite file after the store's short,
 *   asynchronous wait; a PostgreSQL server that refuses or does not answer within the store's time
 *   bounds; a closed store). Nothing of the call was written; the same call may succeed later.
 * - `failed`: anything else (a constraint, a corrupt value, a database written by a newer cis-bot).
 */
export type StoreErrorKind = 'unavailable' | 'failed';

/**
 * A store read or write failed, or the database cannot be used (e.g. written by a newer cis-bot).
 * Unlike other CisBotErrors its message is for the log and the CLI only: it can carry driver text and
 * file paths, so chat edge handlers show `StoreError.chatText(ref, kind)` instead and log the message.
 */
export class StoreError extends CisBotError {
  readonly kind: StoreErrorKind;

  constructor(message: string, options?: { cause?: unknown; kind?: StoreErrorKind }) {
    super(options?.kind === 'unavailable' ? 'STORE_UNAVAILABLE' : 'STORE', message, options);
    this.kind = options?.kind ?? 'failed';
  }

  /** True for a StoreError saying the database cannot be used right now. */
  static isUnavailable(error: unknown): error is StoreError {
    return error instanceof StoreError && error.kind === 'unavailable';
  }

  /**
   * What a chat (or an HTTP client) may be told about a store failure: a reference to the log line,
   * nothing of the detail. An unavailable database says so, and that trying again later is the remedy.
   */
  static chatText(ref: string, kind: StoreErrorKind = 'failed'): string {
    if (kind === 'unavailable') return StoreError.unavailableText(ref);
    return `cis-bot's database failed (ref ${ref}). Try again, or ask an admin to look the reference up in the bot's log.`;
  }

  /** The one "database unavailable" answer, in chat and over HTTP. */
  static unavailableText(ref: string): string {
    return `Database unavailable, reference ${ref}: cis-bot cannot use its database right now, so it did not take this request. Try again in a minute, or give an admin the reference (it finds the details in the bot's log).`;
  }
}
