/**
 * An audit in Teams: a long one shows one progress card ("Auditing 1,000 accounts: 312 done, 3 errors
 * so far"), updated at Teams' pace (updateActivity is rate limited per conversation thread: about one a
 * second), which the result's first card then replaces for everyone; the rest follow as replies. A quick
 * audit answers with its result alone.
 */
import type { ConversationReference } from 'botbuilder';
import type { Card } from '../../src/core/cards';
import type { ProgressSink } from '../../src/core/ports/chat';
import type { Logger } from '../../src/core/ports/logger';
import { throttleProgress } from '../../src/core/progress-throttle';
import { errorFields } from './errors';
import type { Outbound } from './outbound';
import { splitCard } from './render';

export const TEAMS_PROGRESS_INTERVAL_MS = 1000;
/** An audit shorter than this answers with its result alone. */
export const TEAMS_PROGRESS_AFTER_MS = 2000;

export type AuditRunner = (
  thread: Partial<ConversationReference>,
  replyTo: string | undefined,
  run: (progress: ProgressSink) => Promise<Card[]>,
) => Promise<void>;

export function auditRunner(outbound: Outbound, log: Logger, progressAfterMs?: number): AuditRunner {
  return async (thread, replyTo, run) => {
    let progressId: string | undefined;
    const paced = throttleProgress(
      async (card) => {
        if (progressId) await outbound.update(thread, progressId, card);
        else progressId = await outbound.post(thread, replyTo, card);
      },
      {
        intervalMs: TEAMS_PROGRESS_INTERVAL_MS,
        firstAfterMs: progressAfterMs ?? TEAMS_PROGRESS_AFTER_MS,
        onError: (error) => log.warn('Could not show the progress of an audit in Teams', errorFields(error)),
      },
    );
    const cards = await run(async (card) => paced.push(card)).finally(() => paced.close());
    const [first, ...rest] = cards.flatMap((c) => splitCard(c));
    if (progressId && first) {
      await outbound.update(thread, progressId, first);
      if (rest.length) await outbound.send(thread, replyTo, rest);
    } else if (cards.length) {
      await outbound.send(thread, replyTo, cards);
    }
  };
}
