/**
 * The remediation plan and execution model: what a plan is (ordered steps, each an exact AWS API call
 * with its AWS CLI equivalent, IAM action and precondition; guidance for what the bot does not repair),
 * and what an execution reports. The port through which the workflow reaches AWS is in
 * core/ports/remediation-runtime.ts. Plain JSON-safe data: plans are stored and hashed.
 */
import type { AccountStatus, LinkName } from '../evaluate/findings';

export type StepId = 'metric-filter' | 'topic' | 'subscription' | 'alarm';

export type ApiCall =
  | { service: 'logs'; operation: 'PutMetricFilter'; input: PutMetricFilterInput }
  | { service: 'sns'; operation: 'CreateTopic'; input: { Name: string } }
  | { service: 'sns'; operation: 'Subscribe'; input: SubscribeInput }
  | { service: 'cloudwatch'; operation: 'PutMetricAlarm'; input: PutMetricAlarmInput };

/** The SDK's PutMetricFilter input (camelCase, as CloudWatch Logs spells it). */
export interface PutMetricFilterInput {
  logGroupName: string;
  filterName: string;
  filterPattern: string;
  metricTransformations: Array<{ metricName: string; metricNamespace: string; metricValue: string }>;
}

export interface SubscribeInput {
  TopicArn: string;
  Protocol: string;
  Endpoint: string;
  ReturnSubscriptionArn: true;
}

export interface PutMetricAlarmInput {
  AlarmName: string;
  MetricName: string;
  Namespace: string;
  Statistic: 'Sum';
  Period: number;
  Threshold: number;
  ComparisonOperator: 'GreaterThanOrEqualToThreshold';
  EvaluationPeriods: number;
  ActionsEnabled: true;
  AlarmActions: string[];
  /**
   * Only when replacing an alarm that had them: kept, since PutMetricAlarm replaces the whole alarm and
   * resets what it is not given (the CIS settings above are the only ones the bot changes; Dimensions and
   * Unit are kept only when they still let the alarm see the metric the filter emits).
   */
  OKActions?: string[];
  InsufficientDataActions?: string[];
  AlarmDescription?: string;
  TreatMissingData?: string;
  Unit?: string;
  Dimensions?: Array<{ Name: string; Value: string }>;
  DatapointsToAlarm?: number;
}

/** The normalised content of a metric filter, for "already there" and "changed since planned" checks. */
export interface FilterSpec {
  pattern: string;
  transformations: Array<{
    metricName: string;
    metricNamespace: string;
    metricValue: string;
    defaultValue: number | null;
    dimensions: string[];
    unit: string | null;
  }>;
}

/** The normalised content of an alarm (the settings PutMetricAlarm sets and the chain depends on). */
export interface AlarmSpec {
  metricName: string | null;
  namespace: string | null;
  statistic: string | null;
  period: number | null;
  threshold: number | null;
  comparisonOperator: string | null;
  evaluationPeriods: number | null;
  datapointsToAlarm: number | null;
  actionsEnabled: boolean;
  alarmActions: string[];
  okActions: string[];
  insufficientDataActions: string[];
  dimensions: string[];
  description: string | null;
  /** `missing` (AWS's default) is null. */
  treatMissingData: string | null;
  unit: string | null;
}

/** A step that overwrites an existing resource of the same name, and exactly what it overwrites. */
export type Replacement =
  | { kind: 'metric-filter'; name: string; previous: FilterSpec; summary: string }
  | { kind: 'alarm'; name: string; previous: AlarmSpec; summary: string };

export interface PlanStep {
  id: StepId;
  title: string;
  /** The exact AWS API call the executor makes. */
  call: ApiCall;
  /** The equivalent AWS CLI command, as the CIS text gives it (plus `--region`, so it runs where the chain is). */
  cli: string;
  /** The IAM action the call needs. */
  iamAction: string;
  /** What must be true (or absent) before the step; the executor re-checks it. */
  precondition: string;
  /** Present when the step overwrites an existing resource; the executor refuses if it finds anything else. */
  replaces?: Replacement;
}

export type GuidanceSeverity =
  /** The chain cannot become compliant until a person does this. */
  | 'blocker'
  /** Worth knowing; does not stop the chain from holding. */
  | 'note'
  /** Everything the bot can do is done; a person must confirm a subscription. */
  | 'awaiting-confirmation';

export interface Guidance {
  link: LinkName | 'account';
  severity: GuidanceSeverity;
  title: string;
  detail: string;
  /** An AWS CLI command that would do it, when there is a standard one. */
  cli?: string;
  /** The IAM action the detail is about (a denied read, or what the fix needs). */
  iamAction?: string;
}

/** Where a plan's changes happen (one account and region) and which resources it builds on. */
export interface PlanTarget {
  accountId: string;
  region: string;
  partition: string;
  logGroupName?: string;
  logGroupArn?: string;
  filterName?: string;
  metric?: { name: string; namespace: string };
  alarmName?: string;
  topicArn?: string;
  subscription?: { protocol: string; endpoint: string };
}

export interface Plan {
  version: 1;
  control: string;
  controlTitle: string;
  /** The audited account (the target account differs when the chain's log group lives elsewhere). */
  accountId: string;
  target: PlanTarget;
  steps: PlanStep[];
  guidance: Guidance[];
  /** The finding the plan answers. */
  finding: { status: AccountStatus; brokenLink?: LinkName; reason: string };
  /** sha256 (hex) of the canonical JSON of control, accountId, target and steps: what approvers approve. */
  hash: string;
}

// --- Execution --------------------------------------------------------------------------------------

export type StepStatus =
  /** The call was made and succeeded. */
  | 'done'
  /** State already matched: nothing was called. */
  | 'skipped'
  | 'failed'
  /** A previous step failed. */
  | 'not-run';

export interface StepOutcome {
  stepId: StepId;
  title: string;
  status: StepStatus;
  /** One sentence: what happened, or why it was skipped or failed. */
  detail: string;
  /** For failures: the AWS error code (or `Conflict` when the resource differs from what the plan expects). */
  errorCode?: string;
  /** The ARN the call returned (topic, subscription), when any. */
  arn?: string;
}

export type ExecutionEvent =
  | { type: 'step-started'; index: number; total: number; step: PlanStep }
  | { type: 'step-finished'; index: number; total: number; step: PlanStep; outcome: StepOutcome };

export interface PendingConfirmation {
  topicArn: string;
  protocol: string;
  endpoint: string;
}

export type ExecutionStatus =
  /** Every step done or already true, and the re-audit says COMPLIANT. */
  | 'compliant'
  /** Every step done; the chain waits for the subscription's owner to confirm it. */
  | 'awaiting-confirmation'
  /** Every step done, but the re-audit is not COMPLIANT (see guidance and the verdict). */
  | 'not-compliant'
  /** A step failed; later steps were not run. */
  | 'failed';

export interface ExecutionResult {
  planHash: string;
  control: string;
  accountId: string;
  target: { accountId: string; region: string };
  status: ExecutionStatus;
  steps: StepOutcome[];
  failedStep?: { id: StepId; title: string; errorCode?: string; message: string };
  /** Subscriptions that exist but wait for their endpoint's owner to confirm them. */
  awaitingConfirmation: PendingConfirmation[];
  /** The re-audit after the steps: its verdict is the result's truth. */
  reaudit: { status: AccountStatus; reason: string; brokenLink?: LinkName } | { error: string };
  startedAt: string;
  finishedAt: string;
}
