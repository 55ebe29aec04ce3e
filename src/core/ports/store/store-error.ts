/**
 * The one error every store implementation rejects with. Its message is for the log and the CLI only:
 * it can carry driver text and file paths, so chat edge handlers show `StoreError.chatText(ref)`.
 */
import { CisBotError } from '../../errors';

/**
 * A store read or write failed, or the database cannot be used (e.g. written by a newer cis-bot).
 * Unlike other CisBotErrors its message is for the log and the CLI only: it can carry driver text and
 * file paths, so chat edge handlers show `StoreError.chatText(ref)` instead and log the message.
 */
export class StoreError extends CisBotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE', message, options);
  }

  /** What a chat may be told about a store failure: a reference to the log line, nothing of the detail. */
  static chatText(ref: string): string {
    return `cis-bot's database failed (ref ${ref}). Try again, or ask an admin to look the reference up in the bot's log.`;
  }
}
