/**
 * Plain types several store ports share: who did something, and where an approval was requested.
 */
import type { Platform } from '../chat';

/** Who did something, as persisted. `system` is cis-bot itself (scheduled runs, `default_action: remediate`). */
export interface ActorRef {
  platform: Platform | 'system';
  userId: string;
  displayName?: string;
}

/** Where an approval was requested, so its message can be updated later. */
export interface ConversationPointer {
  platform: Platform;
  /** Slack channel id, Teams conversation id, or `cli`. */
  id: string;
  /** Slack message ts, Teams activity id: the message that carries the Approve/Reject buttons. */
  messageRef?: string;
  /** The thread that message is in (Slack thread ts; Teams: the thread's conversation id), if any. */
  threadRef?: string;
}
