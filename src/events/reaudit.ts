/**
 * The re-audit of one account after CloudTrail events (a debounced batch): under the account's lease
 * (`account:<id>`, the one per-account exclusion, so it never runs beside a remediation, a drill or
 * another replica's re-audit), audit only the controls the calls can break, record the run like every
 * audit, compare each control with the status recorded before, and post each change once: the alert
 * state moves from the status read to the new one in one compare-and-set, and only the replica that
 * moved it posts. The alert is written with the change (`pendingAlert`) and cleared once posted, all
 * under the lease: a replica that dies in between leaves it, and the next re-audit of the account (the
 * redelivered message's) posts it. Every alert goes to the audit log with where it was posted.
 */
import { randomUUID } from 'node:crypto';
import { recordAudit } from '../core/audit-recorder';
import type { Card } from '../core/cards';
import { getControl } from '../core/controls/registry';
import { type ChainChange, changesFor, type DriftAlert, isNews } from '../core/drift';
import { reportsPerControl } from '../core/evaluate/controls-report';
import type { AccountStatus } from '../core/evaluate/findings';
import type { NotificationLevel } from '../core/levels';
import type { Auditor } from '../core/ports/auditor';
import type { ChatPoster, Platform } from '../core/ports/chat';
import type { Logger } from '../core/ports/logger';
import type {
  ActorRef,
  AlertStateStore,
  AuditLogStore,
  AuditRunStore,
  AuditTrigger,
  LeaseStore,
} from '../core/ports/store';
import { driftAlertCard } from '../core/present/drift-cards';
import { deliver } from '../scheduler/delivery';

export type DriftStore = AuditRunStore & AuditLogStore & LeaseStore & AlertStateStore;

/** Where alerts go: a conversation of a platform, at a notification level. */
export interface AlertTarget {
  platform: Platform;
  id: string;
  level: NotificationLevel;
}

export interface ReauditDeps {
  auditor: Auditor;
  store: DriftStore;
  posters: ReadonlyMap<Platform, ChatPoster>;
  targets: readonly AlertTarget[];
  log: Logger;
  clock: { now(): Date };
  /** This replica, in lease owners (`re-audit <uuid>@<replica>`). */
  replica: string;
  /** How long the account's lease is held at most without renewal (an audit is bounded by the auditor). */
  leaseMs: number;
}

/** `recorded`: the re-audit and its alerts are in the store (the messages may go); `busy`: try later. */
export type ReauditOutcome = { kind: 'recorded'; alerts: DriftAlert[] } | { kind: 'busy'; holder: string };

/** Who the drift alerts act as in the audit runs and the audit log. */
export const EVENTS_ACTOR: ActorRef = { platform: 'system', userId: 'drift-alerts' };
const TRIGGER: AuditTrigger = 'events';

export class DriftReauditor {
  constructor(private readonly deps: ReauditDeps) {}

  /** Re-audits `accountId` for `controls` after `changes`; rejects when the store or the audit fails. */
  async reaudit(
    accountId: string,
    controls: readonly string[],
    changes: readonly ChainChange[],
  ): Promise<ReauditOutcome> {
    const { store, clock, log } = this.deps;
    const key = `account:${accountId}`;
    const owner = `re-audit ${randomUUID()}@${this.deps.replica}`;
    const lease = await store.acquireLease(key, owner, this.deps.leaseMs, clock.now());
    if (!lease) {
      const holder = (await store.getLease(key))?.owner ?? 'another piece of work';
      return { kind: 'busy', holder };
    }
    let alerts: DriftAlert[];
    try {
      const found = await this.auditAndCompare(accountId, controls, changes);
      // Posted under the lease: a pending alert another re-audit finds under it is one whose poster died.
      for (const alert of found.orphans) await this.post(alert, true);
      for (const alert of found.alerts) await this.post(alert, false);
      alerts = [...found.orphans, ...found.alerts];
    } finally {
      await store.releaseLease(key, owner).catch((error: unknown) =>
        log.warn('could not release the account lease (it lapses on its own)', {
          accountId,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    }
    return { kind: 'recorded', alerts };
  }

  private async auditAndCompare(
    accountId: string,
    controls: readonly string[],
    changes: readonly ChainChange[],
  ): Promise<{ alerts: DriftAlert[]; orphans: DriftAlert[] }> {
    const { store, auditor, clock } = this.deps;
    // What was known before: the alert state, else the latest recorded audit of the control.
    const before = new Map<
      string,
      { state: string | undefined; status: AccountStatus | undefined; pending: unknown }
    >();
    for (const control of controls) {
      const record = await store.getAlertState(accountId, control);
      const state = record?.status;
      // The drift alerts' own re-audits are no baseline: one that recorded no state was not news.
      const latest = state === undefined ? (await store.latestFindings(control, [accountId]))[0] : undefined;
      const status = state ?? (latest?.trigger === TRIGGER ? undefined : latest?.status);
      before.set(control, {
        state,
        status: status as AccountStatus | undefined,
        pending: record?.pendingAlert,
      });
    }
    const { report } = await auditor.auditControls({ controls, accounts: [accountId] });
    const alerts: DriftAlert[] = [];
    const orphans: DriftAlert[] = [];
    for (const one of reportsPerControl(report)) {
      await recordAudit(store, one, { trigger: TRIGGER, actor: EVENTS_ACTOR, purpose: 'drift-alert' });
      const after = one.accounts.find((f) => f.accountId === accountId);
      const was = before.get(one.control);
      if (!after || !was) continue;
      const news = isNews(was.status, after, changes);
      // The state follows every re-audit, except a broken chain with nothing known before that this
      // batch's calls cannot explain: another batch (maybe on another replica) holds the call that broke
      // it and must still find the status unknown to post it. Only the replica whose swap succeeds posts
      // the change, so a change is posted once however many replicas saw it.
      if (was.state === after.status) {
        if (was.pending !== undefined) orphans.push(was.pending as DriftAlert);
        continue;
      }
      if (was.status === undefined && !news && after.status !== 'COMPLIANT') continue;
      const alert: DriftAlert = {
        control: one.control,
        controlTitle: getControl(one.control).title,
        before: was.status,
        after,
        auditedAt: one.finishedAt,
        changes: changesFor(one.control, changes),
      };
      // The alert is written with the change and cleared once posted: a crash in between loses nothing.
      const swapped = await store.swapAlertState(
        accountId,
        one.control,
        was.state,
        after.status,
        clock.now(),
        news ? alert : undefined,
      );
      if (swapped && news) alerts.push(alert);
    }
    return { alerts, orphans };
  }

  /**
   * Posts one alert to every target whose level shows it, records it in the audit log, and clears it
   * from the alert state. `recovered`: an alert a replica recorded but died before posting.
   */
  private async post(alert: DriftAlert, recovered: boolean): Promise<void> {
    const { posters, targets, log, store, clock } = this.deps;
    const context = { control: alert.control, accountId: alert.after.accountId };
    const deliveries = (
      await Promise.all(
        targets.map((t) => {
          const card: Card | undefined = driftAlertCard(alert, t.level);
          return card
            ? deliver(posters, [{ platform: t.platform, id: t.id }], [card], log, context, 'drift alert')
            : Promise.resolve([]);
        }),
      )
    ).flat();
    log.info(recovered ? 'drift alert (recorded before a crash, posted now)' : 'drift alert', {
      ...context,
      before: alert.before ?? null,
      after: alert.after.status,
      calls: alert.changes.map((c) => c.eventName),
      posted: deliveries.filter((d) => d.error === undefined).length,
      failed: deliveries.filter((d) => d.error !== undefined).length,
    });
    await store.appendAuditLog({
      at: clock.now().toISOString(),
      kind: 'drift-alert',
      actor: EVENTS_ACTOR,
      platform: 'system',
      control: alert.control,
      accountId: alert.after.accountId,
      detail: {
        before: alert.before ?? null,
        after: alert.after.status,
        reason: alert.after.reason,
        brokenLink: alert.after.brokenLink ?? null,
        calls: alert.changes.map((c) => ({
          eventId: c.eventId,
          eventSource: c.eventSource,
          eventName: c.eventName,
          region: c.region,
          eventTime: c.eventTime,
          principalArn: c.principalArn,
          sourceIp: c.sourceIp,
        })),
        deliveries,
        ...(recovered ? { recovered: true } : {}),
      },
    });
    await store.clearPendingAlert(alert.after.accountId, alert.control, alert.after.status);
  }
}
