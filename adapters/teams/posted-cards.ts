/**
 * Which bot messages a click may overwrite. A click names the message it came from only through the
 * activity's `replyToId`, which the client supplies; before the adapter replaces a message for everyone
 * (updateActivity) it checks that this process posted that message, in that conversation, with the
 * clicked button on it. Kept in memory, bounded: after a restart (or for a message long gone from the
 * window) the check fails and the adapter posts the new card as a new message instead, which is safe;
 * the decision itself is the core's either way.
 */
import type { Card } from '../../src/core/cards';
import type { ButtonClick } from '../../src/core/ports/chat';
import { channelConversationId } from './conversations';

/** Enough for every card with buttons posted in days of normal use; a few MB at most. */
const DEFAULT_LIMIT = 10_000;

const buttonKey = (actionId: string, value: string) => `${actionId}\u0000${value}`;
const messageKey = (conversationId: string, activityId: string) =>
  `${channelConversationId(conversationId)}\u0000${activityId}`;

function buttonsOf(card: Card): Set<string> {
  const keys = new Set<string>();
  for (const element of card.elements) {
    if (element.type === 'actions') for (const b of element.buttons) keys.add(buttonKey(b.id, b.value));
  }
  return keys;
}

export class PostedCards {
  private readonly messages = new Map<string, ReadonlySet<string>>();

  constructor(private readonly limit: number = DEFAULT_LIMIT) {}

  /** The bot sent (or replaced) message `activityId` in `conversationId` with `card`. */
  record(conversationId: string, activityId: string, card: Card): void {
    if (!activityId) return;
    const key = messageKey(conversationId, activityId);
    this.messages.delete(key);
    const buttons = buttonsOf(card);
    // A card without buttons can never be clicked: nothing to remember.
    if (!buttons.size) return;
    this.messages.set(key, buttons);
    while (this.messages.size > this.limit) {
      const oldest = this.messages.keys().next().value;
      if (oldest === undefined) break;
      this.messages.delete(oldest);
    }
  }

  /** Did this process post `activityId` in `conversationId` with the clicked button on it? */
  carries(conversationId: string, activityId: string | undefined, click: ButtonClick): boolean {
    if (!activityId) return false;
    return (
      this.messages
        .get(messageKey(conversationId, activityId))
        ?.has(buttonKey(click.actionId, click.value)) ?? false
    );
  }
}
