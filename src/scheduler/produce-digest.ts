/**
 * One digest run, whoever asked for it (a timer, a catch-up, a retry, or `runNow`): audit the schedule's
 * controls, remediate the `remediate` ones on scheduled runs, build the digest against the previous run's
 * summary, post it to the schedule's targets, and, for a claimed run, complete it in the store and the
 * audit log. Claiming is the caller's business (scheduler.ts).
 */

import {
  buildDigest,
  type DigestDelivery,
  type DigestRemediation,
  type DigestSummary,
  type DigestTrigger,
  parseDigestSummary,
} from '../core/digest';
import type { Auditor } from '../core/ports/auditor';
import type { AutoRemediate } from '../core/ports/auto-remediate';
import type { ChatPoster, Platform } from '../core/ports/chat';
import type { DigestOutcome, DigestResult, DigestRunOptions } from '../core/ports/digests';
import type { Logger } from '../core/ports/logger';
import type {
  ActorRef,
  AuditLogStore,
  AuditRunStore,
  AuditTrigger,
  ScheduleRunStore,
} from '../core/ports/store';
import type { DigestLimits } from '../core/present/digest-cards';
import { digestReceipt } from '../core/present/schedule-cards';
import type { DefaultAction } from '../core/settings';
import { auditSchedule, failingSinceFromHistory } from './audit-run';
import { remediateOutcomes } from './default-action';
import { deliver, targetsOf } from './delivery';
import type { ScheduleSettings } from './settings';

/** The store ports the scheduler uses: audit runs (history), the audit log, and scheduled-run leases. */
export type SchedulerStore = AuditRunStore & AuditLogStore & ScheduleRunStore;

export interface ProduceDeps {
  auditor: Auditor;
  store: SchedulerStore;
  log: Logger;
  clock: { now(): Date };
  /** The run's lease: automatic remediation starts no account past half of it. */
  leaseMs: number;
  posters: ReadonlyMap<Platform, ChatPoster>;
  /** A platform's name in receipts (its settings' label). */
  platformLabel: (platform: Platform) => string;
  /** This process/replica, for the completion log line. */
  owner: string;
  /** The control's default_action, as this scheduler can carry it out. */
  actionOf(control: string): DefaultAction;
  autoRemediate: AutoRemediate | undefined;
  digestLimits: Partial<DigestLimits> | undefined;
}

function auditTriggerFor(actor: ActorRef, trigger: DigestTrigger): AuditTrigger {
  if (trigger !== 'on-demand') return 'schedule';
  return actor.platform === 'system' ? 'schedule' : actor.platform;
}

/** Audits, builds, posts (unless asked not to) and, for a claimed run (`key`), completes it. */
export async function produceDigest(
  deps: ProduceDeps,
  schedule: ScheduleSettings,
  at: Date,
  trigger: DigestTrigger,
  actor: ActorRef,
  options: DigestRunOptions,
  key: string | undefined,
): Promise<DigestResult> {
  const { auditor, store, log, clock, leaseMs, posters, owner, actionOf } = deps;
  const startedAt = clock.now();
  const previousRun = await store.lastCompletedScheduleRun(schedule.name);
  const previous = parseDigestSummary(previousRun?.summary);
  const auditTrigger = auditTriggerFor(actor, trigger);
  let outcomes = await auditSchedule({ auditor, store, log }, schedule, auditTrigger, actor);
  let remediations: DigestRemediation[] = [];
  // Automatic remediation belongs to scheduled runs only: an on-demand digest never changes accounts.
  if (deps.autoRemediate && trigger !== 'on-demand' && options.deliver !== 'none') {
    ({ outcomes, remediations } = await remediateOutcomes(
      {
        autoRemediate: deps.autoRemediate,
        log,
        clock,
        deadline: new Date(startedAt.getTime() + leaseMs / 2),
        reaudit: async (control) => {
          const [again] = await auditSchedule(
            { auditor, store, log },
            { ...schedule, controls: [control] },
            auditTrigger,
            actor,
          );
          return again ?? { control, error: 'the control was not audited again' };
        },
      },
      schedule.name,
      outcomes,
      actionOf,
    ));
  }
  const historySince = await failingSinceFromHistory(store, outcomes, at);
  const digest = buildDigest({
    schedule: { name: schedule.name, timezone: schedule.timezone, level: options.level ?? schedule.level },
    outcomes,
    previous,
    at,
    trigger,
    historySince,
    ...(deps.digestLimits ? { limits: deps.digestLimits } : {}),
    skipControls: schedule.controls.filter((c) => actionOf(c) === 'skip'),
    remediations,
  });
  let deliveries: DigestDelivery[] = [];
  let outcome: DigestOutcome;
  if (options.deliver === 'none') outcome = 'returned';
  else if (digest.cards.length === 0) outcome = 'nothing-to-post';
  else {
    const context = { schedule: schedule.name, fireTime: key, trigger };
    deliveries = await deliver(posters, targetsOf(schedule), digest.cards, log, context);
    const ok = deliveries.filter((d) => d.error === undefined).length;
    outcome = ok === deliveries.length ? 'posted' : ok > 0 ? 'partially-posted' : 'not-posted';
  }
  const summary: DigestSummary = { ...digest.summary, deliveries };
  if (key !== undefined) {
    await store.completeScheduleRun(schedule.name, key, summary, clock.now());
    await store.appendAuditLog({
      at: clock.now().toISOString(),
      kind: 'digest',
      actor,
      platform: actor.platform,
      ...(schedule.controls.length === 1 ? { control: schedule.controls[0] as string } : {}),
      detail: {
        schedule: schedule.name,
        fireTime: key,
        trigger,
        outcome,
        counts: summary.counts,
        fixed: digest.changes.fixed.map((i) => ({ control: i.control, accountId: i.accountId })),
        newlyFailing: digest.changes.newlyFailing.map((i) => ({
          control: i.control,
          accountId: i.accountId,
        })),
        ...(summary.skippedByConfig ? { skippedByConfig: summary.skippedByConfig } : {}),
        ...(summary.remediations ? { remediations: summary.remediations } : {}),
        deliveries,
      },
    });
    log.info('digest run completed', { schedule: schedule.name, fireTime: key, trigger, outcome, owner });
  }
  const result = {
    schedule: schedule.name,
    at: at.toISOString(),
    outcome,
    cards: digest.cards,
    summary,
    deliveries,
  };
  return { ...result, receipt: digestReceipt(result, schedule.timezone, deps.platformLabel) };
}
