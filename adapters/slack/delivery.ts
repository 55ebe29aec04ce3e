/**
 * Puts rendered cards into Slack with the Web API: a new message plus its continuations in the thread, or
 * an existing message replaced (chat.update) with continuations in its thread. Messages are sent one by
 * one, in order; the WebClient waits out 429 Retry-After itself.
 */
import type { WebClient } from '@slack/web-api';
import type { Card } from '../../src/core/cards';
import { type SlackMessage, toSlackMessages } from './render';

/** What a command or click that produced no cards shows. */
export const NOTHING_TO_SHOW: SlackMessage = {
  text: 'Done.',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Done: nothing to report.' } }],
};

export function messagesFor(cards: readonly Card[]): SlackMessage[] {
  const messages = toSlackMessages(cards);
  return messages.length > 0 ? messages : [NOTHING_TO_SHOW];
}

/** Posts `messages` in the thread of `threadTs`. */
export async function postInThread(
  client: WebClient,
  channel: string,
  threadTs: string,
  messages: readonly SlackMessage[],
): Promise<void> {
  for (const message of messages) {
    await client.chat.postMessage({
      channel,
      thread_ts: threadTs,
      text: message.text,
      blocks: message.blocks,
    });
  }
}

/**
 * Posts cards as a new message (in the thread of `threadTs` when given); continuations go to the thread of
 * the first message. Returns the first message's ts.
 */
export async function postCards(
  client: WebClient,
  channel: string,
  cards: readonly Card[],
  threadTs?: string,
): Promise<string> {
  const [first, ...rest] = messagesFor(cards) as [SlackMessage, ...SlackMessage[]];
  const posted = await client.chat.postMessage({
    channel,
    text: first.text,
    blocks: first.blocks,
    ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
  });
  const ts = posted.ts as string;
  await postInThread(client, channel, threadTs ?? ts, rest);
  return ts;
}

/** Replaces message `ts` with the first message and posts the continuations in its thread. */
export async function replaceWithMessages(
  client: WebClient,
  channel: string,
  ts: string,
  messages: readonly SlackMessage[],
  threadTs: string = ts,
): Promise<void> {
  const [first, ...rest] = messages as [SlackMessage, ...SlackMessage[]];
  await client.chat.update({ channel, ts, text: first.text, blocks: first.blocks });
  await postInThread(client, channel, threadTs, rest);
}
