/** The SQLite conversation-reference store (table conversation_refs), keyed by platform and conversation. */
import type { Platform } from '../../core/ports/chat';
import type { ConversationRefStore, StoredConversationRef } from '../../core/ports/store';
import { type ConversationRefRow, conversationRefFromRow } from '../row-mapping';
import { fromJson, toJson } from '../rows';
import type { SqliteConnection } from './connection';

export class SqliteConversationRefStore implements ConversationRefStore {
  constructor(private readonly c: SqliteConnection) {}

  saveConversationRef(platform: Platform, conversationId: string, ref: unknown): Promise<void> {
    return this.c.attempt(`save the ${platform} conversation reference ${conversationId}`, () => {
      this.c
        .stmt(
          `INSERT INTO conversation_refs (platform, conversation_id, ref, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (platform, conversation_id) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at`,
        )
        .run(platform, conversationId, toJson(ref, 'the conversation reference'), this.c.now().toISOString());
    });
  }

  getConversationRef(platform: Platform, conversationId: string): Promise<unknown | undefined> {
    return this.c.attempt(`read the ${platform} conversation reference ${conversationId}`, () => {
      const row = this.c
        .stmt('SELECT ref FROM conversation_refs WHERE platform = ? AND conversation_id = ?')
        .get(platform, conversationId) as { ref: string } | undefined;
      return row ? fromJson(row.ref) : undefined;
    });
  }

  listConversationRefs(platform: Platform): Promise<StoredConversationRef[]> {
    return this.c.attempt(`list the ${platform} conversation references`, () => {
      const rows = this.c
        .stmt('SELECT * FROM conversation_refs WHERE platform = ? ORDER BY conversation_id')
        .all(platform) as ConversationRefRow[];
      return rows.map(conversationRefFromRow);
    });
  }
}
