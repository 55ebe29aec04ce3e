/**
 * One digest run, whoever asked for it (a timer, a catch-up, a retry, or `runNow`): audit the schedule's
 * controls, remediate the `remediate` ones on scheduled runs, build the digest against the previous run's
 * summary, post it to the schedule's targets, and, for a claimed run, complete it in the store and the
 * audit log. Claiming is the caller's business (scheduler.ts).
 */

import type { ControlOutcome } from '../core/digest';
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
import type { FindingsExport } from '../core/ports/security-hub';
import type {
  ActorRef,
  AuditLogStore,
  AuditRunStore,
  AuditTrigger,
  ScheduleRunStore,
} from '../core/ports/store';
import type { DigestLimits } from '../core/present/digest-cards';
import { exportCard } from '../core/present/export-cards';
import { digestReceipt } from '../core/present/schedule-cards';
import type { ExportSummary } from '../core/report/security-hub-export';
import type { DefaultAction } from '../core/settings';
import { auditSchedule, failingSinceFromHistory } from './audit-run';
import { remediateOutcomes } from './default-action';
import { deliver, targetsOf } from './delivery';
import { errorFields } from './log';
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
  /** Security Hub export of scheduled runs (schedules with `export: { securityhub: true }`). */
  exportFindings: FindingsExport | undefined;
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
  const exported = await exportOutcomes(deps, schedule, trigger, outcomes);
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
  // An export that lost findings needs a person even when the digest has nothing else to say.
  const cards =
    exported && (digest.cards.length > 0 || exported.failed.length > 0)
      ? [...digest.cards, exportCard(exported)]
      : digest.cards;
  let deliveries: DigestDelivery[] = [];
  let outcome: DigestOutcome;
  if (options.deliver === 'none') outcome = 'returned';
  else if (cards.length === 0) outcome = 'nothing-to-post';
  else {
    const context = { schedule: schedule.name, fireTime: key, trigger };
    deliveries = await deliver(posters, targetsOf(schedule), cards, log, context);
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
        ...(exported ? { securityHub: exportDetail(exported) } : {}),
        deliveries,
      },
    });
    log.info('digest run completed', { schedule: schedule.name, fireTime: key, trigger, outcome, owner });
  }
  const result = {
    schedule: schedule.name,
    at: at.toISOString(),
    outcome,
    cards,
    summary,
    deliveries,
  };
  return { ...result, receipt: digestReceipt(result, schedule.timezone, deps.platformLabel) };
}

/** Scheduled runs of an exporting schedule send the final outcomes' findings to Security Hub. */
async function exportOutcomes(
  deps: Pick<ProduceDeps, 'exportFindings' | 'log'>,
  schedule: ScheduleSettings,
  trigger: DigestTrigger,
  outcomes: readonly ControlOutcome[],
): Promise<ExportSummary | undefined> {
  if (!schedule.export?.securityhub || trigger === 'on-demand') return undefined;
  if (!deps.exportFindings) {
    deps.log.warn('schedule exports to Security Hub, but this scheduler has no exporter', {
      schedule: schedule.name,
    });
    return undefined;
  }
  const reports = outcomes.flatMap((o) => ('report' in o ? [o.report] : []));
  if (reports.length === 0) return undefined;
  let exported: ExportSummary;
  try {
    exported = await deps.exportFindings(reports);
  } catch (error) {
    deps.log.error('Security Hub export failed', { schedule: schedule.name, ...errorFields(error) });
    return undefined;
  }
  const fields = { schedule: schedule.name, ...exportDetail(exported) };
  if (exported.failed.length > 0) deps.log.warn('Security Hub export incomplete', fields);
  else deps.log.info('Security Hub export', fields);
  return exported;
}

function exportDetail(exported: ExportSummary) {
  return {
    findings: exported.findings,
    imported: exported.imported,
    failed: exported.failed.length,
    calls: exported.calls,
    ...(exported.stopped ? { stopped: exported.stopped } : {}),
  };
}
