/**
 * The neutral infrastructure-as-code document: what exists already (inputs), what to create (resources,
 * a discriminated union of kinds), and what to print afterwards (outputs), each placed in a region of
 * one account. Both writers (terraform.ts, cloudformation.ts) read only this model, so the remediation
 * export (issue 15) and the drift-alert set-up (issue 13) share one generator.
 *
 * Values that point at another node of the document are `Ref`s (a node id and an attribute); everything
 * else is a literal. JSON documents (event patterns, IAM and queue policies) are `JsonValue` trees that may
 * hold `Ref`s too: Terraform writes them through `jsonencode(...)`, CloudFormation as nested objects with
 * intrinsics. Plain data apart from the `Ref` class (a class, so a ref can never be confused with a JSON
 * object of an event pattern or a policy).
 */

/** The attribute of a node that a reference reads; which kinds offer which is in `ATTRIBUTES`. */
export type RefAttribute = 'arn' | 'name' | 'url' | 'value';

/** A reference to another input or resource of the same document. */
export class Ref {
  constructor(
    readonly target: string,
    readonly attribute: RefAttribute,
  ) {}
}

export const ref = (target: string, attribute: RefAttribute): Ref => new Ref(target, attribute);

/** A string that is either written as is or read from another node. */
export type Str = string | Ref;

export type JsonValue = null | boolean | number | string | Ref | JsonValue[] | { [key: string]: JsonValue };

// --- Inputs: what already exists -------------------------------------------------------------------

interface InputBase {
  /** Unique in the document: lower-case words joined by `-` (`cis-4-1-log-group`). */
  id: string;
  /** Why the document needs it, for the reader (variable / parameter description). */
  description: string;
}

/**
 * A CloudWatch Logs log group that exists, by name (Terraform: `data "aws_cloudwatch_log_group"`, which
 * fails at plan time when it is missing; CloudFormation: a String parameter with the name as default).
 */
export interface ExistingLogGroup extends InputBase {
  kind: 'existing-log-group';
  region: string;
  name: string;
}

/**
 * An SNS topic that exists, by ARN; its region and account are the ARN's (Terraform: `data
 * "aws_sns_topic"` by name in that region; CloudFormation: a String parameter with the ARN as default).
 */
export interface ExistingTopic extends InputBase {
  kind: 'existing-sns-topic';
  arn: string;
}

/** A plain string the person applying the document may change (an ARN elsewhere, an account id...). */
export interface Variable extends InputBase {
  kind: 'variable';
  default?: string;
}

export type Input = ExistingLogGroup | ExistingTopic | Variable;

// --- Resources: what the document creates ----------------------------------------------------------

interface ResourceBase {
  id: string;
  /** Where it is created (IAM is global: the region only says which provider/template holds it). */
  region: string;
  /** One line for the reader, written above the resource (a comment in HCL and YAML). */
  comment?: string;
  /**
   * The resource exists under this name with other settings and the document replaces them (the remediation
   * plan's "replaces existing ..."): Terraform adopts it with an `import` block before updating it;
   * CloudFormation keeps it on stack deletion and says how to import it.
   */
  replaces?: { summary: string };
}

export interface MetricTransformation {
  metricName: string;
  metricNamespace: string;
  metricValue: string;
}

export interface LogMetricFilter extends ResourceBase {
  kind: 'log-metric-filter';
  name: string;
  logGroupName: Str;
  /** Written exactly as given: the writers escape it for their language, never rewrite it. */
  pattern: string;
  metricTransformations: MetricTransformation[];
}

export interface SnsTopic extends ResourceBase {
  kind: 'sns-topic';
  name: string;
}

export interface SnsSubscription extends ResourceBase {
  kind: 'sns-subscription';
  topicArn: Str;
  protocol: string;
  endpoint: Str;
}

export interface MetricAlarm extends ResourceBase {
  kind: 'metric-alarm';
  name: string;
  metricName: string;
  namespace: string;
  statistic: string;
  period: number;
  threshold: number;
  comparisonOperator: string;
  evaluationPeriods: number;
  actionsEnabled: boolean;
  alarmActions: Str[];
  okActions?: Str[];
  insufficientDataActions?: Str[];
  description?: string;
  treatMissingData?: string;
  unit?: string;
  dimensions?: Array<{ name: string; value: string }>;
  datapointsToAlarm?: number;
}

/** Where an EventBridge rule sends matching events: a queue, or another region's/account's event bus. */
export interface EventTarget {
  /** The target id within the rule (1-64 characters of `[.\-_A-Za-z0-9]`). */
  id: string;
  arn: Str;
  /** The role EventBridge assumes: needed to put events on another bus (not for an SQS queue). */
  roleArn?: Str;
  /** Where EventBridge leaves events it could not deliver. */
  deadLetterArn?: Str;
}

export interface EventRule extends ResourceBase {
  kind: 'event-rule';
  name: string;
  description?: string;
  /** The bus the rule listens on; absent: the region's default bus. */
  eventBusName?: string;
  eventPattern: JsonValue;
  targets: EventTarget[];
}

export interface SqsQueue extends ResourceBase {
  kind: 'sqs-queue';
  name: string;
  messageRetentionSeconds?: number;
  visibilityTimeoutSeconds?: number;
  /** Moves a message to the dead-letter queue after this many receives. */
  redrive?: { deadLetterQueueArn: Str; maxReceiveCount: number };
  sqsManagedSse?: boolean;
}

/** The access policy of a queue (`queueUrl` of the queue it governs). */
export interface SqsQueuePolicy extends ResourceBase {
  kind: 'sqs-queue-policy';
  queueUrl: Str;
  policy: JsonValue;
}

export interface IamRole extends ResourceBase {
  kind: 'iam-role';
  name: string;
  description?: string;
  assumeRolePolicy: JsonValue;
  inlinePolicies: Array<{ name: string; policy: JsonValue }>;
}

/** A customer managed policy, e.g. the permissions the bot's own role needs (attached by its owner). */
export interface IamManagedPolicy extends ResourceBase {
  kind: 'iam-managed-policy';
  name: string;
  description?: string;
  policy: JsonValue;
}

export type Resource =
  | LogMetricFilter
  | SnsTopic
  | SnsSubscription
  | MetricAlarm
  | EventRule
  | SqsQueue
  | SqsQueuePolicy
  | IamRole
  | IamManagedPolicy;

export type ResourceKind = Resource['kind'];
export type NodeKind = ResourceKind | Input['kind'];

export interface Output {
  id: string;
  description: string;
  value: Ref;
}

export interface IacDocument {
  /** One line: what the document does (header comment, CloudFormation Description). */
  description: string;
  /** The account it is meant for: Terraform refuses other credentials (`allowed_account_ids`). */
  accountId?: string;
  /** What a person must know before applying it, in reading order (header comments, Metadata). */
  notes: string[];
  inputs: Input[];
  resources: Resource[];
  outputs: Output[];
}

/** The attributes each kind offers to references (the same in both languages). */
export const ATTRIBUTES: Readonly<Record<NodeKind, readonly RefAttribute[]>> = {
  'existing-log-group': ['name', 'arn'],
  'existing-sns-topic': ['arn'],
  variable: ['value'],
  'log-metric-filter': ['name'],
  'sns-topic': ['arn', 'name'],
  'sns-subscription': ['arn'],
  'metric-alarm': ['arn', 'name'],
  'event-rule': ['arn', 'name'],
  'sqs-queue': ['arn', 'url', 'name'],
  'sqs-queue-policy': [],
  'iam-role': ['arn', 'name'],
  'iam-managed-policy': ['arn', 'name'],
};

/** The lines written above a resource: its comment, and what it replaces unless the comment says so. */
export function commentLines(resource: Resource): string[] {
  const lines = resource.comment ? [resource.comment] : [];
  const summary = resource.replaces?.summary;
  if (summary && !resource.comment?.includes(summary)) lines.push(`Replaces: ${summary}`);
  return lines;
}

/** The region a node lives in; undefined for variables (usable anywhere). */
export function regionOf(node: Input | Resource): string | undefined {
  if (node.kind === 'variable') return undefined;
  if (node.kind === 'existing-sns-topic') return node.arn.split(':')[3];
  return node.region;
}
