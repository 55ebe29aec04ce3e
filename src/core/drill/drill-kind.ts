/**
 * The fire drill kind of approval: proves that a compliant chain really reaches a person. Proposing
 * audits the account (a broken chain is refused with its broken link: remediate first), refuses while
 * another drill or remediation works on the account, reads the alarm and who the topic notifies, and
 * asks to approve exactly that drill; the card warns that those subscribers will really be notified.
 * Before it runs, the alarm is read again (gone, re-pointed, or already in ALARM makes it stale). The run
 * is drill-run.ts.
 */
import type { ApprovalKindHandler, ApprovalSubject } from '../approvals/kind';
import type { Execution } from '../approvals/workflow';
import { UsageError } from '../errors';
import type { AccountFinding } from '../evaluate/findings';
import type { DrillRuntime, DrillTarget } from '../ports/drill-runtime';
import { type Metrics, NO_METRICS } from '../ports/metrics';
import type { ActorRef, Approval, ApprovalStore, AuditLogStore, LeaseStore } from '../ports/store';
import { decidedDrillCard, drillProgressCard, drillResultCard } from '../present/drill-cards';
import type { RemediationAssessor } from '../remediation/assessor';
import { canonicalJson, sha256Hex } from '../remediation/canonical';
import { accountLeaseKey, DrillRun, otherExecution, PROBE_QUEUE_PREFIX } from './drill-run';
import type { DrillEvent, DrillInput, DrillOutcome, DrillPlan } from './types';

/** A drill cis-bot will not propose, with why and what to do. Nothing was changed. */
export class DrillRefused extends UsageError {
  readonly reason: 'chain-broken' | 'busy' | 'alarm';
  constructor(reason: 'chain-broken' | 'busy' | 'alarm', message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface DrillProposal {
  kind: 'drill';
  drill: DrillPlan;
  approval: Approval;
  finding: AccountFinding;
}

export type DrillTypes = {
  input: DrillInput;
  subject: DrillPlan;
  proposal: DrillProposal;
  event: DrillEvent;
  outcome: DrillOutcome;
};

export type DrillKind = ApprovalKindHandler<DrillTypes>;
export type DrillExecution = Execution<'drill', DrillTypes>;

export const DRILL = 'drill';

export interface DrillKindDeps {
  assessor: Pick<RemediationAssessor, 'plannable' | 'auditOne'>;
  runtime: DrillRuntime;
  store: LeaseStore & ApprovalStore & AuditLogStore;
  /** How long a drill waits for the alarm's action and the SNS message (drill.wait_seconds; default 60). */
  waitSeconds?: number;
  /** Between two reads of the alarm history (default 2 s). */
  pollMs?: number;
  /** The account lease's length between renewals (default 2 minutes). */
  leaseMs?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Where drills' outcomes and durations are recorded (default: nowhere). */
  metrics?: Metrics;
}

export const DEFAULT_DRILL_WAIT_SECONDS = 60;

function subjectOf(drill: DrillPlan): ApprovalSubject<DrillPlan> {
  return {
    hash: sha256Hex(canonicalJson(drill)),
    control: drill.control,
    accountId: drill.accountId,
    region: drill.region,
    body: drill,
  };
}

/** The alarm's region from its ARN (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME). */
function alarmRegion(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

export function createDrillKind(deps: DrillKindDeps): DrillKind {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const waitSeconds = deps.waitSeconds ?? DEFAULT_DRILL_WAIT_SECONDS;
  const metrics = deps.metrics ?? NO_METRICS;

  async function refuse(
    reason: DrillRefused['reason'],
    message: string,
    input: { control: string; accountId?: string | undefined },
    actor: ActorRef,
  ): Promise<never> {
    await deps.store.appendAuditLog({
      at: now().toISOString(),
      kind: 'refused',
      actor: { platform: actor.platform, userId: actor.userId },
      platform: actor.platform,
      control: input.control,
      ...(input.accountId ? { accountId: input.accountId } : {}),
      detail: { reason: `drill-${reason}`, message },
    });
    metrics.drillEnded({
      control: input.control,
      accountId: input.accountId ?? 'unknown',
      outcome: `refused-${reason}`,
      cleanup: 'none',
      resumed: false,
      durationMs: 0,
    });
    throw new DrillRefused(reason, message);
  }

  /** What works on the account now, in a sentence; undefined when nothing does. */
  async function busy(accountId: string): Promise<string | undefined> {
    const at = now();
    const lease = await deps.store.getLease(accountLeaseKey(accountId));
    if (lease && Date.parse(lease.expiresAt) > at.getTime()) {
      return `${lease.owner} holds account ${accountId} (since ${lease.acquiredAt})`;
    }
    return otherExecution(deps.store, accountId, undefined, at);
  }

  return {
    kind: DRILL,

    async propose(input, ctx) {
      const control = deps.assessor.plannable(input.control);
      const { finding } = await deps.assessor.auditOne(
        control,
        input.accountId,
        ctx.requestedBy,
        'drill check',
      );
      const about = { control: control.id, accountId: finding.accountId };
      const remediate = `cis-bot remediate ${control.id} --account ${finding.accountId} (chat: ${control.id} remediate --account ${finding.accountId})`;
      if (finding.status !== 'COMPLIANT') {
        await refuse(
          'chain-broken',
          `No drill: the CIS ${control.id} chain of account ${finding.accountId} is ${finding.status === 'ERROR' ? 'not readable' : 'broken'}${finding.brokenLink ? ` at the ${finding.brokenLink} link` : ''}: ${finding.reason} Remediate first: ${remediate}, then run the drill.`,
          about,
          ctx.requestedBy,
        );
      }
      const { alarmName, alarmArn, topicArn } = finding.chain;
      const region = alarmArn ? alarmRegion(alarmArn) : undefined;
      if (!alarmName || !alarmArn || !topicArn || !region) {
        await refuse(
          'chain-broken',
          `No drill: the audit of account ${finding.accountId} names no alarm and topic for CIS ${control.id}. Remediate first: ${remediate}.`,
          about,
          ctx.requestedBy,
        );
        throw new Error('unreachable');
      }
      const working = await busy(finding.accountId);
      if (working) {
        await refuse(
          'busy',
          `No drill now: ${working}. One piece of work per account at a time; ask again when it has ended.`,
          about,
          ctx.requestedBy,
        );
      }
      const target: DrillTarget = { accountId: finding.accountId, region };
      const alarm = await deps.runtime.readAlarm(target, alarmName);
      if (alarm?.state === 'ALARM') {
        await refuse(
          'alarm',
          `No drill: ${alarmName} is in ALARM now (${alarm.stateReason}). Setting it to ALARM would not change its state, so its actions would not run; look at the alarm first, and drill once it is OK.`,
          about,
          ctx.requestedBy,
        );
      }
      const subscribers = (await deps.runtime.listSubscriptions(target, topicArn))
        .filter(
          (s) =>
            s.subscriptionArn !== 'PendingConfirmation' && !s.endpoint.includes(`:${PROBE_QUEUE_PREFIX}`),
        )
        .map((s) => ({ protocol: s.protocol, endpoint: s.endpoint }));
      const drill: DrillPlan = {
        kind: 'drill',
        control: control.id,
        accountId: finding.accountId,
        region,
        alarmName,
        alarmArn,
        topicArn,
        subscribers,
        waitSeconds,
        requestedBy: ctx.requestedBy,
      };
      const approval = await ctx.request(subjectOf(drill));
      return { kind: 'drill', drill, approval, finding };
    },

    async recheck(stored) {
      const drill = stored.body;
      const alarm = await deps.runtime.readAlarm(
        { accountId: drill.accountId, region: drill.region },
        drill.alarmName,
      );
      let blocked: string | undefined;
      if (!alarm) blocked = `the alarm ${drill.alarmName} no longer exists`;
      else if (!alarm.alarmActions.includes(drill.topicArn))
        blocked = `the alarm ${drill.alarmName} no longer notifies ${drill.topicArn}`;
      else if (alarm.state === 'ALARM')
        blocked = `the alarm ${drill.alarmName} is in ALARM (${alarm.stateReason})`;
      return { subject: stored, ...(blocked ? { blocked } : {}) };
    },

    async run(subject, ctx) {
      const started = Date.now();
      const outcome = await new DrillRun(
        {
          runtime: deps.runtime,
          store: deps.store,
          leaseMs: deps.leaseMs ?? 120_000,
          pollMs: deps.pollMs ?? 2000,
          now,
          sleep,
        },
        subject.body,
        ctx,
      ).run();
      metrics.drillEnded({
        control: subject.body.control,
        accountId: subject.body.accountId,
        outcome: outcome.verdict,
        cleanup: outcome.cleanup.complete ? 'complete' : 'leftovers',
        resumed: ctx.resumed,
        durationMs: Date.now() - started,
      });
      const ok = outcome.verdict === 'proven' && outcome.cleanup.complete;
      const problems = [
        ...(outcome.broke ? [outcome.broke.detail] : []),
        ...outcome.cleanup.leftovers.map((l) => `left behind: ${l.what} (${l.command})`),
      ];
      return {
        outcome,
        state: ok ? 'succeeded' : 'failed',
        result: outcome,
        ...(ok ? {} : { error: problems.join(' ').slice(0, 1000) || 'the drill did not prove the chain' }),
      };
    },

    present: {
      decided: decidedDrillCard,
      progress: drillProgressCard,
      outcome: drillResultCard,
    },
  };
}
