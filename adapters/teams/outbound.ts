/**
 * What the Teams adapter sends outside a turn's HTTP answer, through botbuilder's proactive
 * continuation: cards into a conversation (one card a message so each can be replaced later, long ones
 * split, threaded under `replyTo`), and the replacement of a message the bot posted. Every message with
 * buttons is remembered (posted-cards.ts): a click only ever replaces such a message.
 */
import { type Activity, ActivityTypes, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Card } from '../../src/core/cards';
import type { PostedCards } from './posted-cards';
import { splitCard, toAttachment } from './render';

export function cardActivity(card: Card): Partial<Activity> {
  return { type: ActivityTypes.Message, summary: card.summary, attachments: [toAttachment(card)] };
}

export interface Outbound {
  send(
    ref: Partial<ConversationReference>,
    replyTo: string | undefined,
    cards: readonly Card[],
  ): Promise<void>;
  update(ref: Partial<ConversationReference>, activityId: string, card: Card): Promise<void>;
  /** Posts one card as one message (it must fit one: no splitting) and returns its id, to update it later. */
  post(
    ref: Partial<ConversationReference>,
    replyTo: string | undefined,
    card: Card,
  ): Promise<string | undefined>;
}

export function createOutbound(adapter: CloudAdapter, appId: string, posted: PostedCards): Outbound {
  return {
    async send(ref, replyTo, cards) {
      const conversationId = ref.conversation?.id ?? '';
      await adapter.continueConversationAsync(appId, ref, async (context) => {
        // botbuilder would reply to the continuation event's random id: thread explicitly instead.
        if (replyTo) context.activity.id = replyTo;
        else delete context.activity.id;
        for (const card of cards.flatMap((c) => splitCard(c))) {
          const sent = await context.sendActivity(cardActivity(card));
          if (sent?.id) posted.record(conversationId, sent.id, card);
        }
      });
    },
    async post(ref, replyTo, card) {
      let id: string | undefined;
      await adapter.continueConversationAsync(appId, ref, async (context) => {
        if (replyTo) context.activity.id = replyTo;
        else delete context.activity.id;
        id = (await context.sendActivity(cardActivity(card)))?.id;
      });
      if (id) posted.record(ref.conversation?.id ?? '', id, card);
      return id;
    },
    async update(ref, activityId, card) {
      await adapter.continueConversationAsync(appId, ref, async (context) => {
        await context.updateActivity({ ...cardActivity(card), id: activityId });
      });
      posted.record(ref.conversation?.id ?? '', activityId, card);
    },
  };
}
