/**
 * One run of an approved fire drill, under the account's lease:
 *
 *   probe queue (with the policy SNS needs) -> subscribe it to the alarm's topic -> SetAlarmState ALARM
 *   -> DescribeAlarmHistory: the transition and the action's success or failure -> wait (bounded) for the
 *   SNS message on the probe -> cleanup, always: unsubscribe, delete the queue, SetAlarmState OK.
 *
 * Every step checks whether it is already done, so a drill resumed after a crash (the same approval,
 * hence the same probe queue name and the same StateReason marker) does not fire twice and still cleans
 * up. What the cleanup cannot remove is reported with the command that removes it.
 */
import type { RunContext } from '../approvals/kind';
import type { DrillRuntime, DrillTarget, ProbeQueue } from '../ports/drill-runtime';
import type { ActorRef, ApprovalStore, LeaseStore } from '../ports/store';
import { actionFailure, noActionSeen, noDelivery } from './diagnose';
import type {
  DrillBreak,
  DrillEvent,
  DrillLeftover,
  DrillOutcome,
  DrillPlan,
  DrillStepId,
  DrillStepOutcome,
} from './types';

export interface DrillRunDeps {
  runtime: DrillRuntime;
  store: LeaseStore & ApprovalStore;
  /** How long the account lease lasts between renewals. */
  leaseMs: number;
  /** Between two reads of the alarm history while waiting for the action. */
  pollMs: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** The lease key every piece of work on an account holds (ARCHITECTURE.md, "One lease per account"). */
export function accountLeaseKey(accountId: string): string {
  return `account:${accountId}`;
}

/** The probe queue of a drill: named after its approval, so a resumed run finds it. */
export function probeQueueName(approvalId: string): string {
  return `cis-bot-drill-${approvalId}`;
}

export const PROBE_QUEUE_PREFIX = 'cis-bot-drill-';

/** What the StateReason and the SNS message carry, so the drill recognises its own transition. */
export function drillMarker(approvalId: string): string {
  return `cis-bot fire drill ${approvalId}`;
}

function who(actor: ActorRef | undefined): string {
  if (!actor) return 'cis-bot';
  return actor.displayName
    ? `${actor.displayName} (${actor.platform} ${actor.userId})`
    : `${actor.platform} ${actor.userId}`;
}

/** The StateReason of the drill's ALARM (CloudWatch allows 1023 characters). */
export function drillStateReason(drill: DrillPlan, approvalId: string, approvedBy?: ActorRef): string {
  return `${drillMarker(approvalId)}: requested by ${who(drill.requestedBy)}, approved by ${who(approvedBy)}. A test of this alarm's notifications, not an incident; cis-bot resets the alarm to OK when the drill ends.`.slice(
    0,
    1023,
  );
}

/** The access policy that lets the topic (and only it) send to the probe queue. */
export function probeQueuePolicy(queueArn: string, topicArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowTheAlarmTopic',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  });
}

function queueArnOf(drill: DrillPlan, name: string): string {
  const partition = drill.alarmArn.split(':')[1] || 'aws';
  return `arn:${partition}:sqs:${drill.region}:${drill.accountId}:${name}`;
}

function errorText(error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name !== 'Error' ? `${error.name}: ` : ''}${error.message}`
      : String(error);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** Did this SNS message (the envelope SQS received) carry this drill's alarm notification? */
function isDrillMessage(body: string, marker: string): boolean {
  try {
    const envelope = JSON.parse(body) as { Message?: unknown };
    const message = typeof envelope.Message === 'string' ? envelope.Message : body;
    const alarm = JSON.parse(message) as { NewStateReason?: unknown; NewStateValue?: unknown };
    return (
      alarm.NewStateValue === 'ALARM' &&
      typeof alarm.NewStateReason === 'string' &&
      alarm.NewStateReason.includes(marker)
    );
  } catch {
    return body.includes(marker);
  }
}

class StepFailed extends Error {
  constructor(readonly broke: DrillBreak) {
    super(broke.detail);
  }
}

export class DrillRun {
  private readonly target: DrillTarget;
  private readonly marker: string;
  private readonly queueName: string;
  private readonly queueArn: string;
  private readonly leaseKey: string;
  private readonly leaseOwner: string;
  private readonly steps: DrillStepOutcome[] = [];
  private readonly outcome: DrillOutcome;

  constructor(
    private readonly deps: DrillRunDeps,
    private readonly drill: DrillPlan,
    private readonly ctx: RunContext<DrillEvent>,
  ) {
    const id = ctx.approval.id;
    this.target = { accountId: drill.accountId, region: drill.region };
    this.marker = drillMarker(id);
    this.queueName = probeQueueName(id);
    this.queueArn = queueArnOf(drill, this.queueName);
    this.leaseKey = accountLeaseKey(drill.accountId);
    // The lease the approval workflow already holds for this run (owner `drill <id>@<replica>`,
    // execution-lease.ts): taking it again as that owner extends it, so the drill and the workflow agree
    // on one lease of the account.
    this.leaseOwner = ctx.approval.executionOwner ?? `drill ${id}`;
    this.outcome = {
      drill,
      approvalId: id,
      verdict: 'not-run',
      notified: 0,
      steps: this.steps,
      cleanup: { complete: true, leftovers: [] },
    };
  }

  async run(): Promise<DrillOutcome> {
    const busy = await this.takeAccount();
    if (busy) {
      this.outcome.broke = {
        link: 'drill',
        detail: busy,
        fix: ['Run the drill again once that work has ended.'],
      };
      await this.record('account-lease', 'failed', busy);
      return this.outcome;
    }
    try {
      try {
        await this.exercise();
        this.outcome.verdict = 'proven';
      } catch (error) {
        if (error instanceof LostExecution) throw error;
        this.outcome.verdict = this.outcome.firedAt ? 'broken' : 'not-run';
        this.outcome.broke =
          error instanceof StepFailed
            ? error.broke
            : {
                link: 'drill',
                detail: `The drill stopped before it could prove anything: ${errorText(error)}`,
                fix: ['Check the IAM policy of the drill (cis-bot iam-policy --drill) and run it again.'],
              };
      }
      await this.cleanUp();
    } finally {
      await this.deps.store.releaseLease(this.leaseKey, this.leaseOwner).catch(() => false);
    }
    return this.outcome;
  }

  // ---- the account ----------------------------------------------------------------------------------

  /** Takes the account's lease; a sentence naming what holds the account when it is busy. */
  private async takeAccount(): Promise<string | undefined> {
    const lease = await this.deps.store.acquireLease(
      this.leaseKey,
      this.leaseOwner,
      this.deps.leaseMs,
      this.deps.now(),
    );
    if (!lease) {
      const held = await this.deps.store.getLease(this.leaseKey);
      return `Account ${this.drill.accountId} is busy: ${held?.owner ?? 'other work'} holds it until ${held?.expiresAt ?? 'it ends'}; nothing was changed.`;
    }
    const other = await otherExecution(
      this.deps.store,
      this.drill.accountId,
      this.ctx.approval.id,
      this.deps.now(),
    );
    if (other) {
      await this.deps.store.releaseLease(this.leaseKey, this.leaseOwner);
      return `Account ${this.drill.accountId} is busy: ${other}; nothing was changed.`;
    }
    return undefined;
  }

  /** Between steps: the execution lease (lost: another process resumes this drill) and the account's. */
  private async keepGoing(): Promise<void> {
    try {
      await this.ctx.heartbeat();
    } catch (error) {
      throw new LostExecution(error);
    }
    await this.deps.store.renewLease(this.leaseKey, this.leaseOwner, this.deps.leaseMs, this.deps.now());
  }

  private async record(step: DrillStepId, status: DrillStepOutcome['status'], detail: string): Promise<void> {
    const outcome: DrillStepOutcome = { step, status, detail };
    this.steps.push(outcome);
    await this.ctx.logStep(outcome);
    await this.ctx.progress({ type: 'drill-step', outcome });
  }

  /** Runs `work` as a step: its detail on success; on failure the step is recorded and StepFailed thrown. */
  private async step(
    id: DrillStepId,
    work: () => Promise<{ status: 'done' | 'skipped'; detail: string }>,
    onError?: (error: unknown) => DrillBreak,
  ): Promise<void> {
    await this.keepGoing();
    let result: { status: 'done' | 'skipped'; detail: string };
    try {
      result = await work();
    } catch (error) {
      if (error instanceof LostExecution) throw error;
      const broke =
        error instanceof StepFailed
          ? error.broke
          : (onError?.(error) ?? {
              link: 'drill' as const,
              detail: `Step ${id} failed: ${errorText(error)}`,
              fix: ['Check the IAM policy of the drill (cis-bot iam-policy --drill) and run it again.'],
            });
      await this.record(id, 'failed', broke.detail);
      throw new StepFailed(broke);
    }
    await this.record(id, result.status, result.detail);
  }

  // ---- the drill ------------------------------------------------------------------------------------

  private async exercise(): Promise<void> {
    const { runtime } = this.deps;
    const { drill, target } = this;
    let queue: ProbeQueue | undefined;
    await this.step('probe-queue', async () => {
      queue = await runtime.findQueue(target, this.queueName);
      if (queue) return { status: 'skipped', detail: `The probe queue ${this.queueName} exists already.` };
      queue = await runtime.createQueue(
        target,
        this.queueName,
        probeQueuePolicy(this.queueArn, drill.topicArn),
      );
      return {
        status: 'done',
        detail: `Created the probe queue ${queue.arn}, which only the topic may send to.`,
      };
    });
    await this.step('probe-subscription', async () => {
      const subs = await runtime.listSubscriptions(target, drill.topicArn);
      this.outcome.notified = subs.filter(
        (s) => s.subscriptionArn !== 'PendingConfirmation' && !s.endpoint.includes(`:${PROBE_QUEUE_PREFIX}`),
      ).length;
      if (subs.some((s) => s.endpoint === this.queueArn && s.subscriptionArn !== 'PendingConfirmation'))
        return { status: 'skipped', detail: `The probe queue is subscribed to ${drill.topicArn} already.` };
      const arn = await runtime.subscribe(target, drill.topicArn, this.queueArn);
      if (!arn.startsWith('arn:')) {
        throw new StepFailed({
          link: 'drill',
          detail: `SNS left the probe's subscription to ${drill.topicArn} pending confirmation (a topic in another account asks the queue to confirm), so the drill could not observe delivery.`,
          fix: [
            'Run the drill with cis-bot credentials in the topic owner account, or confirm the probe subscription.',
          ],
        });
      }
      return { status: 'done', detail: `Subscribed the probe queue to ${drill.topicArn}.` };
    });
    const since = new Date(Date.parse(this.ctx.approval.createdAt) - 5 * 60_000);
    await this.step('fire', async () => {
      const earlier = await this.ownTransition(since);
      if (earlier) {
        this.outcome.firedAt = earlier.toISOString();
        return {
          status: 'skipped',
          detail: `The alarm was set to ALARM by this drill already, at ${this.outcome.firedAt}.`,
        };
      }
      const before = new Date();
      await runtime.setAlarmState(
        target,
        drill.alarmName,
        'ALARM',
        drillStateReason(drill, this.ctx.approval.id, this.ctx.approval.decidedBy),
      );
      // Mark it fired at once: from here on the cleanup resets the alarm even if the history cannot be read.
      this.outcome.firedAt = before.toISOString();
      const seen = await this.ownTransition(since);
      if (seen) this.outcome.firedAt = seen.toISOString();
      return { status: 'done', detail: `Set ${drill.alarmName} to ALARM at ${this.outcome.firedAt}.` };
    });
    const firedAt = new Date(this.outcome.firedAt ?? Date.now());
    const deadline = firedAt.getTime() + drill.waitSeconds * 1000;
    await this.step('alarm-action', async () => {
      const action = await this.awaitAction(firedAt, deadline);
      if (!action) throw new StepFailed(noActionSeen(drill));
      this.outcome.action = action;
      if (action.status === 'Failed')
        throw new StepFailed(actionFailure(drill, action.error ?? 'no reason given'));
      return {
        status: 'done',
        detail: `CloudWatch ran the alarm's action on ${drill.topicArn} at ${action.at}.`,
      };
    });
    await this.step('delivery', async () => {
      const url = queue?.url ?? (await runtime.findQueue(target, this.queueName))?.url;
      if (!url) throw new Error(`the probe queue ${this.queueName} is gone`);
      const sentAt = await this.awaitMessage(url, deadline);
      if (!sentAt) throw new StepFailed(noDelivery(drill));
      const latencyMs = Math.max(0, sentAt.getTime() - firedAt.getTime());
      this.outcome.delivery = { at: sentAt.toISOString(), latencyMs };
      return {
        status: 'done',
        detail: `SNS delivered the alarm's notification to the probe queue ${(latencyMs / 1000).toFixed(1)} s after the alarm fired.`,
      };
    });
  }

  /** When this drill's StateUpdate to ALARM happened, per the alarm history; undefined when it has not. */
  private async ownTransition(since: Date): Promise<Date | undefined> {
    const history = await this.deps.runtime.alarmHistory(this.target, this.drill.alarmName, since);
    const item = history.find(
      (h) =>
        h.type === 'StateUpdate' &&
        h.data.includes(this.marker) &&
        /"stateValue":"ALARM"/.test(h.data.replace(/\s/g, '')),
    );
    return item?.at;
  }

  private async awaitAction(firedAt: Date, deadline: number): Promise<DrillOutcome['action'] | undefined> {
    for (;;) {
      const history = await this.deps.runtime.alarmHistory(
        this.target,
        this.drill.alarmName,
        new Date(firedAt.getTime() - 1000),
      );
      const item = history.find(
        (h) =>
          h.type === 'Action' &&
          h.at.getTime() >= firedAt.getTime() - 1000 &&
          h.data.includes(this.drill.topicArn),
      );
      if (item) {
        let data: { actionState?: string; error?: string } = {};
        try {
          data = JSON.parse(item.data) as typeof data;
        } catch {
          // the summary says it too
        }
        const failed = data.actionState === 'Failed' || /^Failed/i.test(item.summary);
        return {
          status: failed ? 'Failed' : 'Succeeded',
          at: item.at.toISOString(),
          ...(failed ? { error: data.error ?? item.summary } : {}),
        };
      }
      if (Date.now() + this.deps.pollMs > deadline) return undefined;
      await this.deps.sleep(this.deps.pollMs);
      await this.keepGoing();
    }
  }

  private async awaitMessage(url: string, deadline: number): Promise<Date | undefined> {
    for (;;) {
      const remaining = Math.max(0, Math.min(20, Math.floor((deadline - Date.now()) / 1000)));
      const messages = await this.deps.runtime.receive(this.target, url, remaining);
      const ours = messages.find((m) => isDrillMessage(m.body, this.marker));
      if (ours) return ours.sentAt;
      if (Date.now() >= deadline) return undefined;
      if (remaining === 0)
        await this.deps.sleep(Math.min(this.deps.pollMs, Math.max(0, deadline - Date.now())));
      await this.keepGoing();
    }
  }

  // ---- cleanup --------------------------------------------------------------------------------------

  /** Removes what the drill made and resets the alarm; each part on its own, whatever failed before. */
  private async cleanUp(): Promise<void> {
    const { runtime } = this.deps;
    const { drill, target } = this;
    const topicRegion = drill.topicArn.split(':')[3] ?? drill.region;
    await this.tidy(
      'unsubscribe',
      async () => {
        const subs = await runtime.listSubscriptions(target, drill.topicArn);
        const probe = subs.filter(
          (s) => s.endpoint === this.queueArn && s.subscriptionArn.startsWith('arn:'),
        );
        for (const s of probe) await runtime.unsubscribe(target, drill.topicArn, s.subscriptionArn);
        return probe.length > 0
          ? { status: 'done', detail: `Removed the probe's subscription to ${drill.topicArn}.` }
          : { status: 'skipped', detail: 'The probe was not subscribed.' };
      },
      () => ({
        what: `the probe queue's subscription to ${drill.topicArn} (endpoint ${this.queueArn})`,
        command: `aws sns list-subscriptions-by-topic --topic-arn ${drill.topicArn} --region ${topicRegion} --query "Subscriptions[?Endpoint=='${this.queueArn}'].SubscriptionArn" --output text | xargs -n1 aws sns unsubscribe --region ${topicRegion} --subscription-arn`,
      }),
    );
    await this.tidy(
      'delete-queue',
      async () => {
        const queue = await runtime.findQueue(target, this.queueName);
        if (!queue) return { status: 'skipped', detail: 'There was no probe queue to delete.' };
        await runtime.deleteQueue(target, queue.url);
        return { status: 'done', detail: `Deleted the probe queue ${this.queueName}.` };
      },
      () => ({
        what: `the probe queue ${this.queueArn}`,
        command: `aws sqs delete-queue --region ${drill.region} --queue-url "$(aws sqs get-queue-url --region ${drill.region} --queue-name ${this.queueName} --query QueueUrl --output text)"`,
      }),
    );
    const resetReason = `${this.marker} ended: reset to OK by cis-bot`;
    await this.tidy(
      'reset-alarm',
      async () => {
        const alarm = await runtime.readAlarm(target, drill.alarmName);
        if (!alarm)
          return { status: 'skipped', detail: `The alarm ${drill.alarmName} is gone; nothing to reset.` };
        if (alarm.state !== 'ALARM' || !alarm.stateReason.includes(this.marker)) {
          return {
            status: 'skipped',
            detail: `The alarm is ${alarm.state}${alarm.state === 'ALARM' ? ' for another reason than this drill' : ''}; left as it is.`,
          };
        }
        await runtime.setAlarmState(target, drill.alarmName, 'OK', resetReason);
        return { status: 'done', detail: `Reset ${drill.alarmName} to OK.` };
      },
      () => ({
        what: `the alarm ${drill.alarmName} left in ALARM by the drill`,
        command: `aws cloudwatch set-alarm-state --region ${drill.region} --alarm-name ${drill.alarmName} --state-value OK --state-reason "${resetReason}"`,
      }),
    );
  }

  private async tidy(
    id: DrillStepId,
    work: () => Promise<{ status: 'done' | 'skipped'; detail: string }>,
    leftover: () => DrillLeftover,
  ): Promise<void> {
    await this.keepGoing();
    try {
      const result = await work();
      await this.record(id, result.status, result.detail);
    } catch (error) {
      const left = leftover();
      this.outcome.cleanup.complete = false;
      this.outcome.cleanup.leftovers.push(left);
      await this.record(
        id,
        'failed',
        `Could not remove ${left.what}: ${errorText(error)}. Remove it with: ${left.command}`,
      );
    }
  }
}

/** The workflow's execution lease is gone: another process resumes (and cleans up) this drill. */
export class LostExecution extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * Another approval executing on the account right now (a remediation, another drill), described; the
 * account lease covers the work that holds it, this covers the executions that do not take it.
 */
export async function otherExecution(
  store: ApprovalStore,
  accountId: string,
  selfId: string | undefined,
  now: Date,
): Promise<string | undefined> {
  const executing = await store.listApprovals({ states: ['executing'], limit: 1000 });
  const other = executing.find(
    (a) =>
      a.accountId === accountId &&
      a.id !== selfId &&
      (a.executionLeaseUntil === undefined || Date.parse(a.executionLeaseUntil) > now.getTime()),
  );
  return other ? `the ${other.kind} ${other.id} of CIS ${other.control} is executing on it` : undefined;
}
