/**
 * Conversation identity for Teams: which id a conversation is known by (config keys, digests' targets,
 * the store) and what reference is stored so the bot can post there later.
 *
 * A message in a channel thread arrives with `conversation.id` = `<channel id>;messageid=<thread root>`;
 * the channel is the unit people configure, so the `;messageid=` suffix is dropped. The stored reference
 * points at the channel itself with no activity id, so a proactive post starts a new thread instead of
 * replying to whatever message happened to be stored.
 */

/** The slice of a botbuilder ConversationReference this module touches. */
export interface RefLike {
  activityId?: string | undefined;
  user?: unknown;
  conversation?: { id?: string | undefined } | undefined;
}

/** The port the adapter stores references through (the store's Teams rows, or a Map in tests). */
export interface ConversationRefStore {
  save(id: string, ref: unknown): Promise<void> | void;
  get(id: string): Promise<unknown> | unknown;
}

export function channelConversationId(conversationId: string): string {
  const cut = conversationId.indexOf(';messageid=');
  return cut === -1 ? conversationId : conversationId.slice(0, cut);
}

/** The reference to store: the channel-level conversation, no activity, no user (not needed to post). */
export function refForStorage<T extends RefLike>(ref: T): Omit<T, 'activityId' | 'user'> {
  const { activityId: _activityId, user: _user, ...rest } = ref;
  if (!ref.conversation) return rest;
  return {
    ...rest,
    conversation: { ...ref.conversation, id: channelConversationId(ref.conversation.id ?? '') },
  };
}

/** The Teams rows of the store port, as the adapter's reference store. */
export function storeConversations(store: {
  saveConversationRef(platform: 'teams', conversationId: string, ref: unknown): Promise<void>;
  getConversationRef(platform: 'teams', conversationId: string): Promise<unknown | undefined>;
}): ConversationRefStore {
  return {
    save: (id, ref) => store.saveConversationRef('teams', id, ref),
    get: (id) => store.getConversationRef('teams', id),
  };
}
