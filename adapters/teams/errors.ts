/**
 * Teams-specific errors and the one mapping from any error to text that is safe to show in a chat:
 * never a stack trace, an SDK message or a database message (those can carry URLs, ids, paths or tokens).
 */
import { randomBytes } from 'node:crypto';
import { CisBotError } from '../../src/core/errors';
import { StoreError } from '../../src/core/ports/store';
import { redactFields } from '../../src/core/redact';

/** ChatPoster.post was asked to post where the bot has never been installed or addressed. */
export class TeamsConversationUnknownError extends CisBotError {
  readonly conversationId: string;
  constructor(conversationId: string) {
    super(
      'TEAMS_CONVERSATION_UNKNOWN',
      `cis-bot cannot post to Teams conversation ${conversationId}: no conversation reference is stored for it. ` +
        'Add the bot to that team or chat (or @mention it there once) so Teams tells it how to reach the conversation.',
    );
    this.conversationId = conversationId;
  }
}

/**
 * The text to show for an error, and the fields to log. Our own errors (CisBotError) carry messages
 * written for users, as in the Slack adapter; anything else (an SDK or network failure) becomes a
 * generic line with a reference that finds the log entry.
 */
export function describeError(error: unknown): { text: string; log: Record<string, unknown> } {
  // A StoreError's message carries driver text and paths: logged under a reference, never shown.
  if (error instanceof CisBotError && !(error instanceof StoreError)) {
    return {
      text: error.message,
      log: redactFields({ error: error.name, code: error.code, message: error.message }),
    };
  }
  const ref = randomBytes(4).toString('hex');
  const log =
    error instanceof Error
      ? {
          ref,
          error: error.name,
          ...(error instanceof CisBotError ? { code: error.code } : {}),
          message: error.message,
          stack: error.stack,
        }
      : { ref, error: String(error) };
  return {
    text:
      error instanceof StoreError
        ? StoreError.chatText(ref, error.kind)
        : `cis-bot hit an unexpected error (ref ${ref}). Try again, or ask an admin to look the reference up in the bot's log.`,
    // Redacted here, so a caller-supplied logger gets safe fields too (messages and stacks can carry tokens).
    log: redactFields(log),
  };
}

/** Log fields for an error that is not shown to anyone. */
export function errorFields(error: unknown): Record<string, unknown> {
  return describeError(error).log;
}
