/**
 * What the command and click handlers share: the core, config, logger, the approver-group lookup, and
 * the tracker of work that continues after Slack has been acknowledged.
 */
import type { Logger } from '@slack/bolt';
import type { Config } from '../../src/config/schema';
import type { Actor, ChatCore, CommandContext } from '../../src/core/chat-core';
import type { GroupResolver } from './user-groups';

export interface HandlerDeps {
  config: Config;
  core: ChatCore;
  logger: Logger;
  groupsOf: GroupResolver;
  /** Registers work that continues after the ack, so `idle()` and `stop()` can wait for it. */
  track<T>(work: Promise<T>): Promise<T>;
}

export async function commandContext(
  deps: HandlerDeps,
  user: { id: string; name?: string | undefined },
  channel: string,
): Promise<CommandContext> {
  const actor: Actor = {
    platform: 'slack',
    userId: user.id,
    groups: await deps.groupsOf(user.id),
    ...(user.name ? { displayName: user.name } : {}),
  };
  return { actor, conversation: { platform: 'slack', id: channel } };
}
