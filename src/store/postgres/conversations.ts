/**
 * The PostgreSQL conversation-reference store (table conversation_refs), keyed by platform and
 * conversation: saving is one upsert, so replicas saving the same reference at once never conflict.
 */
import type { Platform } from '../../core/ports/chat';
import type { ConversationRefStore, StoredConversationRef } from '../../core/ports/store';
import { type ConversationRefRow, conversationRefFromRow } from '../row-mapping';
import { fromJson, toJson } from '../rows';
import type { PgConnection } from './connection';

export class PostgresConversationRefStore implements ConversationRefStore {
  constructor(private readonly c: PgConnection) {}

  async saveConversationRef(platform: Platform, conversationId: string, ref: unknown): Promise<void> {
    await this.c.count(
      `save the ${platform} conversation reference ${conversationId}`,
      `INSERT INTO conversation_refs (platform, conversation_id, ref, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (platform, conversation_id) DO UPDATE SET ref = EXCLUDED.ref, updated_at = EXCLUDED.updated_at`,
      [platform, conversationId, toJson(ref, 'the conversation reference'), this.c.now().toISOString()],
    );
  }

  async getConversationRef(platform: Platform, conversationId: string): Promise<unknown | undefined> {
    const [row] = await this.c.rows<{ ref: string }>(
      `read the ${platform} conversation reference ${conversationId}`,
      'SELECT ref FROM conversation_refs WHERE platform = $1 AND conversation_id = $2',
      [platform, conversationId],
    );
    return row ? fromJson(row.ref) : undefined;
  }

  async listConversationRefs(platform: Platform): Promise<StoredConversationRef[]> {
    const rows = await this.c.rows<ConversationRefRow>(
      `list the ${platform} conversation references`,
      'SELECT * FROM conversation_refs WHERE platform = $1 ORDER BY conversation_id COLLATE "C"',
      [platform],
    );
    return rows.map(conversationRefFromRow);
  }
}
