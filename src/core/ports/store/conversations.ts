/**
 * The conversation-reference store port: what a chat platform needs to post into a conversation later
 * without a user's message (Teams proactive messages), per platform and conversation.
 */
import type { Platform } from '../chat';

export interface StoredConversationRef {
  platform: Platform;
  conversationId: string;
  ref: unknown;
  updatedAt: string;
}

export interface ConversationRefStore {
  /** Upserts the reference for (platform, conversationId). */
  saveConversationRef(platform: Platform, conversationId: string, ref: unknown): Promise<void>;
  getConversationRef(platform: Platform, conversationId: string): Promise<unknown | undefined>;
  /** The platform's references, ordered by conversation id. */
  listConversationRefs(platform: Platform): Promise<StoredConversationRef[]>;
}
