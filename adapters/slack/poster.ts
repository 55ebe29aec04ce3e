/**
 * The Slack `ChatPoster`: how the scheduler posts digests to a channel without a user's command. The
 * first message goes to the channel, continuations to its thread.
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
  };
}
