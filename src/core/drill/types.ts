/**
 * What a fire drill approves, reports and ends with. The subject is stored content-addressed like a
 * remediation plan, so what the approver saw (the alarm, its topic, who will really be notified, how
 * long the drill waits) is what runs.
 */
import type { ActorRef } from '../ports/store';

/** What to drill: a chain control in one account (default: the only audited account). */
export interface DrillInput {
  control: string;
  accountId?: string | undefined;
}

export interface DrillSubscriber {
  protocol: string;
  endpoint: string;
}

/** The approved drill. */
export interface DrillPlan {
  kind: 'drill';
  control: string;
  accountId: string;
  /** The alarm's region (where the probe queue lives too). */
  region: string;
  alarmName: string;
  alarmArn: string;
  topicArn: string;
  /** The topic's confirmed subscribers when the drill was proposed: they will really be notified. */
  subscribers: DrillSubscriber[];
  /** How long the drill waits for the alarm's action and the SNS message. */
  waitSeconds: number;
  requestedBy: ActorRef;
}

export type DrillStepId =
  | 'account-lease'
  | 'probe-queue'
  | 'probe-subscription'
  | 'fire'
  | 'alarm-action'
  | 'delivery'
  | 'unsubscribe'
  | 'delete-queue'
  | 'reset-alarm';

export interface DrillStepOutcome {
  step: DrillStepId;
  status: 'done' | 'skipped' | 'failed';
  detail: string;
}

/** A progress report: one step ended. */
export interface DrillEvent {
  type: 'drill-step';
  outcome: DrillStepOutcome;
}

/** Where the chain broke, and what fixes it. */
export interface DrillBreak {
  /**
   * `topic-policy`: the topic's policy refused CloudWatch; `kms`: CloudWatch could not use the topic's
   * key; `alarm-action`: no action ran; `delivery`: SNS did not deliver to the probe; `drill`: the drill
   * itself could not set up (nothing about the chain is known).
   */
  link: 'topic-policy' | 'kms' | 'alarm-action' | 'delivery' | 'drill';
  detail: string;
  /** What to do, one line each (commands included). */
  fix: string[];
}

/** Something the cleanup could not remove, and the command that removes it. */
export interface DrillLeftover {
  what: string;
  command: string;
}

export interface DrillOutcome {
  drill: DrillPlan;
  approvalId: string;
  /** `proven`: the alarm fired, its action ran and SNS delivered to the probe queue. */
  verdict: 'proven' | 'broken' | 'not-run';
  /** When the alarm went to ALARM (its history's StateUpdate). */
  firedAt?: string;
  /** The alarm action for the topic, as DescribeAlarmHistory shows it. */
  action?: { status: 'Succeeded' | 'Failed'; at: string; error?: string };
  /** When SQS accepted the SNS message on the probe queue, and how long after the alarm fired. */
  delivery?: { at: string; latencyMs: number };
  /** Confirmed subscribers (other than the probe) SNS notified along with the probe. */
  notified: number;
  broke?: DrillBreak;
  steps: DrillStepOutcome[];
  cleanup: { complete: boolean; leftovers: DrillLeftover[] };
}
