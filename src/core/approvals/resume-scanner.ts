/**
 * The resume scan every live replica runs (not only at start-up): every `intervalMs` it asks the approval
 * workflow for executions whose lease lapsed (their replica died or lost its lease) and approvals approved
 * but never started, takes each over through the lease (a compare-and-set in the store, so two replicas
 * never resume the same one) and runs it step by step (each step re-reads AWS first). A resumed run
 * reports in the approval's ORIGINAL chat thread, recorded when its Approve button was clicked: that it
 * was resumed (by which replica, when), its progress, and the verdict.
 *
 * Scans never overlap; the timer is unref'd and stopped on shutdown, which waits for a scan under way.
 */
import type { Card } from '../cards';
import { platformFamily } from '../platforms';
import type { ChatPoster } from '../ports/chat';
import type { Logger } from '../ports/logger';
import type { Approval, ConversationPointer } from '../ports/store';
import { noticeCard, resumedCard } from '../present';
import type { ApprovalWorkflow, KindRegistry, ResumeHooks, ResumeOutcome } from './workflow';

export interface ResumeScannerOptions<K extends KindRegistry> {
  approvals: ApprovalWorkflow<K>;
  /** How often to scan (approvals.resume_scan_seconds). */
  intervalMs: number;
  /** The chat platforms' posters: a resumed run reports in its approval's thread through them. */
  posters: readonly ChatPoster[];
  log: Logger;
}

export interface ResumeScanner {
  /** Scans now (or joins the scan under way) and answers with what it resumed. */
  scanNow(): Promise<ReadonlyArray<ResumeOutcome<KindRegistry>>>;
  /** Stops the timer and waits for a scan under way. */
  stop(): Promise<void>;
}

/** Refusals that only say another replica (or other work on the account) got there first. */
const LOST_RACE = new Set(['account-busy', 'lease-lost', 'already-decided']);

export function startResumeScanner<K extends KindRegistry>(options: ResumeScannerOptions<K>): ResumeScanner {
  const { approvals, log } = options;
  const posters = new Map(options.posters.map((p) => [p.platform, p]));
  let running: Promise<ReadonlyArray<ResumeOutcome<K>>> | undefined;
  let stopped = false;

  /** Posts in the approval's thread; a chat failure never stops the run (display only). */
  async function tell(where: ConversationPointer | undefined, cards: readonly Card[]): Promise<void> {
    // An instance of a platform (a Slack workspace of an OAuth app, `slack:T…`) posts through its
    // family's poster, which finds that workspace's token from the platform id.
    const family = where ? platformFamily(where.platform) : undefined;
    const poster = where
      ? (posters.get(where.platform) ?? (family ? posters.get(family) : undefined))
      : undefined;
    if (!where || !poster?.postInThread || cards.length === 0) return;
    try {
      await poster.postInThread(where, cards);
    } catch (error) {
      log.warn('could not post a resumed run in its thread', {
        platform: where.platform,
        conversationId: where.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  const hooks: ResumeHooks<K> = {
    progressFor: (approval: Approval) => async (update) => {
      if (update.card) await tell(approval.conversation, [update.card]);
    },
    onTakeover: async (approval, previousOwner) => {
      log.info('resuming an interrupted execution', {
        approvalId: approval.id,
        kind: approval.kind,
        owner: approval.executionOwner,
        previousOwner: previousOwner ?? null,
      });
      await tell(approval.conversation, [resumedCard(approval, previousOwner)]);
    },
  };

  async function scan(): Promise<ReadonlyArray<ResumeOutcome<K>>> {
    const outcomes = await approvals.resumeInterrupted(hooks);
    for (const outcome of outcomes) {
      if ('error' in outcome) {
        if (outcome.reason !== undefined && LOST_RACE.has(outcome.reason)) {
          log.debug('left an interrupted approval to its current holder', { approvalId: outcome.approvalId });
          continue;
        }
        log.warn('could not resume an interrupted approval', {
          approvalId: outcome.approvalId,
          error: outcome.error,
        });
        const approval = await approvals.get(outcome.approvalId).catch(() => undefined);
        await tell(approval?.conversation, [noticeCard(outcome.error)]);
        continue;
      }
      log.info('resumed an interrupted approval', {
        approvalId: outcome.approval.id,
        kind: outcome.kind,
        state: outcome.approval.state,
      });
      await tell(outcome.approval.conversation, [outcome.card]);
    }
    return outcomes;
  }

  function scanNow(): Promise<ReadonlyArray<ResumeOutcome<K>>> {
    if (!running) {
      running = scan()
        .catch((error: unknown) => {
          // A store failure must not crash the server: the next scan tries again.
          log.error('could not look for interrupted approvals', {
            error: error instanceof Error ? error.message : String(error),
          });
          return [];
        })
        .finally(() => {
          running = undefined;
        });
    }
    return running;
  }

  const timer = setInterval(() => {
    if (!stopped) void scanNow();
  }, options.intervalMs);
  timer.unref?.();
  // The first scan right after start-up (on the next turn, once the caller has finished starting):
  // what a crash left behind is picked up at once, as before.
  const first = setImmediate(() => {
    if (!stopped) void scanNow();
  });

  return {
    scanNow: scanNow as ResumeScanner['scanNow'],
    async stop() {
      stopped = true;
      clearImmediate(first);
      clearInterval(timer);
      await running;
    },
  };
}
