/**
 * The Slack `ChatPoster`: how the scheduler posts digests to a channel without a user's command. The
 * first message goes to the channel, continuations to its thread. A resumed run posts in the thread of
 * its approval's card.
 */
import type { WebClient } from '@slack/web-api';
import type { Card } from '../../src/core/cards';
import type { ChatPoster } from '../../src/core/ports/chat';
import { postCards } from './delivery';

export function createSlackPoster(client: WebClient): ChatPoster {
  return {
    platform: 'slack',
    async post(conversationId: string, cards: readonly Card[]): Promise<void> {
      await postCards(client, conversationId, cards);
    },
    // The thread of the approval's card: its own thread ts when it is in one, else the card's ts.
    async postInThread(where, cards): Promise<void> {
      await postCards(client, where.id, cards, where.threadRef ?? where.messageRef);
    },
  };
}
