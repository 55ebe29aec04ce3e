/**
 * Which of the configured approver user groups (approvals.slack.user_groups) a Slack user belongs to,
 * read with usergroups.users.list and cached briefly so a burst of clicks costs one call per group.
 * A group that cannot be read counts as "not a member": authorization fails closed.
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';

export const GROUP_CACHE_MS = 60_000;

export type GroupResolver = (userId: string) => Promise<string[]>;

export function createGroupResolver(options: {
  client: WebClient;
  groups: readonly string[];
  logger: Logger;
  ttlMs?: number;
  now?: () => number;
}): GroupResolver {
  const { client, groups, logger } = options;
  const ttl = options.ttlMs ?? GROUP_CACHE_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { members: ReadonlySet<string>; expires: number }>();
  const inFlight = new Map<string, Promise<ReadonlySet<string>>>();

  const membersOf = (group: string): Promise<ReadonlySet<string>> => {
    const cached = cache.get(group);
    if (cached && cached.expires > now()) return Promise.resolve(cached.members);
    const running = inFlight.get(group);
    if (running) return running;
    const load = (async () => {
      try {
        const result = await client.usergroups.users.list({ usergroup: group });
        const members = new Set(result.users ?? []);
        cache.set(group, { members, expires: now() + ttl });
        return members;
      } catch (error) {
        // Not cached: the next click tries again (the scope may have been added meanwhile).
        logger.warn({ event: 'slack.usergroup.unreadable', group, error });
        return new Set<string>();
      } finally {
        inFlight.delete(group);
      }
    })();
    inFlight.set(group, load);
    return load;
  };

  return async (userId) => {
    if (groups.length === 0) return [];
    const sets = await Promise.all(groups.map(membersOf));
    return groups.filter((_, i) => sets[i]?.has(userId));
  };
}
