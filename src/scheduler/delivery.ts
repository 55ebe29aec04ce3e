/**
 * Posting a digest to a schedule's targets through the adapters' ChatPoster ports. Each target is
 * independent: one failing channel (bot removed, Teams conversation never seen) does not keep the digest
 * from the others, and is reported in the run's deliveries and the log.
 */

import type { Card } from '../core/cards';
import type { DigestDelivery } from '../core/digest';
import type { ChatPoster, Platform } from '../core/ports/chat';
import type { Logger } from '../core/ports/logger';
import { safeMessage } from './audit-run';
import { errorFields } from './log';
import type { ScheduleSettings } from './settings';

export interface Target {
  platform: Platform;
  id: string;
}

export function targetsOf(schedule: Pick<ScheduleSettings, 'targets'>): Target[] {
  return Object.entries(schedule.targets).flatMap(([platform, ids]) =>
    ids.map((id): Target => ({ platform, id })),
  );
}

/** What to tell people about a failed post: our own errors as they are, a platform's refusal by its code. */
function deliveryError(error: unknown): string {
  // Slack's WebClient puts the API's error code (e.g. not_in_channel) in `data.error`.
  const code = (error as { data?: { error?: unknown } } | null)?.data?.error;
  if (typeof code === 'string' && /^[a-z_]{1,64}$/.test(code))
    return `the platform refused the post (${code})`;
  return safeMessage(error);
}

export async function deliver(
  posters: ReadonlyMap<Platform, ChatPoster>,
  targets: readonly Target[],
  cards: readonly Card[],
  log: Logger,
  context: Record<string, unknown>,
  /** What is posted, in the log line of a failed target. */
  what = 'digest',
): Promise<DigestDelivery[]> {
  return Promise.all(
    targets.map(async (t): Promise<DigestDelivery> => {
      const poster = posters.get(t.platform);
      try {
        if (!poster) throw new Error(`no ${t.platform} poster`);
        await poster.post(t.id, cards);
        return { platform: t.platform, id: t.id };
      } catch (error) {
        log.error(`${what} not posted to a target`, {
          ...context,
          platform: t.platform,
          target: t.id,
          ...errorFields(error),
        });
        return { platform: t.platform, id: t.id, error: deliveryError(error) };
      }
    }),
  );
}
