/**
 * The Slack adapter's one edge handler for errors: what may be shown in chat, and what is logged.
 * Our own errors (CisBotError) carry messages written for users, except StoreError (driver text, paths);
 * those and anything else become a generic message
 * with a reference that finds the structured log line. Never a stack trace in chat.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '@slack/bolt';
import { CisBotError } from '../../src/core/errors';
import { StoreError } from '../../src/core/ports/store';

export function safeErrorMessage(error: unknown, logger: Logger, context: Record<string, unknown>): string {
  // A StoreError's message carries driver text and paths: logged under a reference, never shown.
  if (error instanceof StoreError) {
    const ref = randomBytes(4).toString('hex');
    logger.error({ event: 'slack.request.failed', code: error.code, ref, ...context, error });
    return StoreError.chatText(ref, error.kind);
  }
  if (error instanceof CisBotError) {
    logger.warn({ event: 'slack.request.failed', code: error.code, ...context, error });
    return error.message;
  }
  const ref = randomBytes(4).toString('hex');
  logger.error({
    event: 'slack.request.failed',
    ref,
    ...context,
    error,
    stack: error instanceof Error ? error.stack : undefined,
  });
  return `Something went wrong (ref ${ref}). Try again, or ask an admin to look the reference up in the logs.`;
}

/** Slack Web API error codes that mean "the bot cannot post here" rather than "something broke". */
export function isCannotPost(error: unknown): boolean {
  const code = (error as { data?: { error?: unknown } } | undefined)?.data?.error;
  return code === 'not_in_channel' || code === 'channel_not_found' || code === 'is_archived';
}
