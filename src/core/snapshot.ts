/**
 * The account snapshot: everything the collector read about one account's monitoring chain, as plain
 * JSON-safe data. It is the collector's output, `evaluate`'s input and what the remediation planner reads.
 * Absence is state (an empty list, a `not-found` probe), never a missing key; every AWS call's failure is
 * a `Probe` error naming the IAM action, so an AccessDenied can never be mistaken for "nothing there".
 * Resources reached by ARN are keyed by that ARN (log groups, topics) or by metric identity (alarms), so
 * two trails sharing a log group share one entry.
 */

import { isAccountId } from './inputs';

export type ProbeErrorKind =
  /** AWS refused the call: AccessDenied, AccessDeniedException, AuthorizationError(Exception)... */
  | 'access-denied'
  /**
   * AWS refused the credentials themselves (unknown key, expired or revoked session, bad signature): no
   * IAM grant helps; the message names the identity and what to renew.
   */
  | 'credentials'
  /** The resource does not exist (log group deleted, topic gone, trail not found). */
  | 'not-found'
  /** The resource lives in an account cis-bot has no role for (a cross-account log group or topic). */
  | 'unreachable'
  /** Anything else: throttled past the retries, network, malformed response or ARN. */
  | 'failed';

export interface ProbeError {
  kind: ProbeErrorKind;
  /** The IAM action of the call that failed, e.g. `logs:DescribeMetricFilters` (`sts:AssumeRole` for unreachable). */
  action: string;
  message: string;
  /** The AWS error code when there was one (`AccessDeniedException`, `ResourceNotFoundException`...). */
  code?: string;
}

export type Probe<T> = { ok: true; value: T } | { ok: false; error: ProbeError };

export function probeOk<T>(value: T): Probe<T> {
  return { ok: true, value };
}

export function probeError<T>(error: ProbeError): Probe<T> {
  return { ok: false, error };
}

// --- CloudTrail --------------------------------------------------------------------------------------

export interface Trail {
  name: string;
  arn: string;
  homeRegion: string;
  /** The account that owns the trail (from its ARN): the management account for an organization trail. */
  ownerAccountId: string;
  isMultiRegion: boolean;
  isOrganizationTrail: boolean;
  /** `CloudWatchLogsLogGroupArn` as AWS returns it (usually ending in `:*`); absent when not delivering to Logs. */
  logGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
  s3BucketName?: string;
  hasCustomEventSelectors?: boolean;
}

export interface TrailStatus {
  isLogging: boolean;
  latestCloudWatchLogsDeliveryError?: string;
  /** ISO timestamps. */
  latestCloudWatchLogsDeliveryTime?: string;
  startLoggingTime?: string;
  stopLoggingTime?: string;
  latestDeliveryError?: string;
}

export interface BasicEventSelector {
  readWriteType: 'ReadOnly' | 'WriteOnly' | 'All';
  includeManagementEvents: boolean;
  excludeManagementEventSources: string[];
  dataResources: Array<{ type: string; values: string[] }>;
}

export interface AdvancedFieldSelector {
  field: string;
  equals?: string[];
  notEquals?: string[];
  startsWith?: string[];
  notStartsWith?: string[];
  endsWith?: string[];
  notEndsWith?: string[];
}

export interface AdvancedEventSelector {
  name?: string;
  fieldSelectors: AdvancedFieldSelector[];
}

export interface EventSelectors {
  /** Basic selectors; empty for a trail that uses advanced selectors. */
  basic: BasicEventSelector[];
  /** Advanced selectors; empty for a trail that uses basic selectors. */
  advanced: AdvancedEventSelector[];
}

export interface TrailSnapshot {
  trail: Trail;
  /** GetTrailStatus in the trail's home region; absent when not read (a single-region trail cannot qualify). */
  status?: Probe<TrailStatus>;
  /** GetEventSelectors in the trail's home region; absent when not read. */
  selectors?: Probe<EventSelectors>;
}

// --- CloudWatch Logs ---------------------------------------------------------------------------------

export interface LogGroupRef {
  /** Normalised ARN (no trailing `:*`): the key of `AccountSnapshot.logGroups`. */
  arn: string;
  accountId: string;
  region: string;
  name: string;
  partition: string;
}

export interface MetricTransformation {
  metricName: string;
  metricNamespace: string;
  metricValue: string;
  defaultValue?: number;
  /** Dimension name to value (`$.field` selectors); empty when the filter emits none. */
  dimensions: Record<string, string>;
  unit?: string;
}

export interface MetricFilter {
  name: string;
  pattern: string;
  logGroupName: string;
  transformations: MetricTransformation[];
}

export interface LogGroupSnapshot {
  ref: LogGroupRef;
  /**
   * Every metric filter of the log group (all pages). `not-found` means the log group does not exist;
   * `unreachable` means it is in an account cis-bot has no role for.
   */
  filters: Probe<MetricFilter[]>;
}

// --- CloudWatch alarms -------------------------------------------------------------------------------

export interface MetricRef {
  accountId: string;
  region: string;
  name: string;
  namespace: string;
}

export interface Alarm {
  name: string;
  arn: string;
  metricName?: string;
  namespace?: string;
  actionsEnabled: boolean;
  alarmActions: string[];
  okActions: string[];
  insufficientDataActions: string[];
  statistic?: string;
  extendedStatistic?: string;
  period?: number;
  threshold?: number;
  comparisonOperator?: string;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  dimensions: Array<{ name: string; value: string }>;
  treatMissingData?: string;
  stateValue?: string;
  /** AlarmDescription and Unit: read by remediation (an alarm it replaces keeps them). */
  description?: string;
  unit?: string;
}

export interface MetricAlarmsSnapshot {
  metric: MetricRef;
  /**
   * The alarms on the metric (name AND namespace) in its account and region: DescribeAlarmsForMetric,
   * or, when several controls are audited at once, the metric's share of one paginated DescribeAlarms of
   * the region (a failure names the action that failed).
   */
  alarms: Probe<Alarm[]>;
}

// --- SNS -------------------------------------------------------------------------------------------

export interface TopicRef {
  arn: string;
  accountId: string;
  region: string;
  name: string;
}

export interface Subscription {
  /** `PendingConfirmation` for an unconfirmed subscription (AWS's convention), else the subscription ARN. */
  arn: string;
  protocol: string;
  endpoint: string;
  owner?: string;
  confirmed: boolean;
}

export interface TopicSnapshot {
  ref: TopicRef;
  /** ListSubscriptionsByTopic, all pages. */
  subscriptions: Probe<Subscription[]>;
  /** GetTopicAttributes: the raw attribute map (`Policy` is the access policy JSON). */
  attributes: Probe<Record<string, string>>;
  /** The topic's KMS key, when its attributes name one (`KmsMasterKeyId`): CloudWatch must be able to use it. */
  key?: TopicKeySnapshot;
}

// --- KMS (the key of an encrypted topic) ----------------------------------------------------------

export interface KeyInfo {
  keyId: string;
  arn: string;
  accountId: string;
  /** `AWS` for an AWS managed key (alias/aws/sns: its policy cannot be changed), `CUSTOMER` otherwise. */
  manager: string;
  /** `Enabled`, `Disabled`, `PendingDeletion`...: only an enabled key encrypts. */
  state: string;
}

export interface TopicKeySnapshot {
  /** `KmsMasterKeyId` as the topic names it: an alias, a key id or an ARN. */
  ref: string;
  /** DescribeKey (resolves an alias to its key), in the topic's region and the key's account. */
  key: Probe<KeyInfo>;
  /** GetKeyPolicy (`default`) of the resolved key; absent when DescribeKey failed. */
  policy?: Probe<string>;
}

// --- Security Hub (CIS 4.16) -----------------------------------------------------------------------

/** What DescribeHub says about a region: enabled (with its hub), or not (AWS's InvalidAccessException). */
export type HubState =
  | { enabled: true; hubArn: string; subscribedAt?: string; autoEnableControls?: boolean }
  | { enabled: false; code: string };

export interface EnabledStandard {
  /** The standard's ARN, e.g. `arn:aws:securityhub:eu-west-2::standards/cis-aws-foundations-benchmark/v/3.0.0`. */
  arn: string;
  /** READY, PENDING, INCOMPLETE, FAILED... */
  status: string;
}

export interface SecurityHubSnapshot {
  region: string;
  /** Why this region is checked: `audit region`, `home region of trail main`, `log group x`... */
  reasons: string[];
  /** DescribeHub in the audited account and this region. */
  hub: Probe<HubState>;
  /** GetEnabledStandards, all pages; read only when the hub is enabled. */
  standards?: Probe<EnabledStandard[]>;
}

// --- The account -----------------------------------------------------------------------------------

export interface AccountAccess {
  via: 'current-credentials' | 'assume-role';
  /** The role assumed (assume-role) or the caller's ARN (current credentials), when known. */
  principalArn?: string;
}

export interface AccountSnapshot {
  accountId: string;
  label?: string;
  /** The region DescribeTrails ran in (with shadow trails, it lists every multi-region trail). */
  auditRegion: string;
  /** ISO timestamps of the collection. */
  startedAt: string;
  finishedAt: string;
  /** Whether the account could be reached at all (AssumeRole, credentials). */
  access: Probe<AccountAccess>;
  /** DescribeTrails(includeShadowTrails) in `auditRegion`, with per-trail status and selectors. */
  trails: Probe<TrailSnapshot[]>;
  /** Keyed by normalised log-group ARN (`logGroupKey`). */
  logGroups: Record<string, LogGroupSnapshot>;
  /** Keyed by `metricKey`. Only metrics of filters that catch a control's pattern are read. */
  metricAlarms: Record<string, MetricAlarmsSnapshot>;
  /** Keyed by topic ARN. Only topics named in candidate alarms' AlarmActions are read. */
  topics: Record<string, TopicSnapshot>;
  /**
   * Security Hub per region checked (CIS 4.16): the audit region and every region where a trail or the
   * chain lives. Absent when no service control was audited.
   */
  securityHub?: SecurityHubSnapshot[];
  /** API calls made for this account (logical calls, retries not counted). */
  apiCalls: number;
}

// --- Keys and ARN parsing (pure helpers shared by the collector, the evaluation and the planner) -------

export function logGroupKey(arn: string): string {
  return arn.endsWith(':*') ? arn.slice(0, -2) : arn;
}

export function metricKey(m: MetricRef): string {
  return `${m.accountId}|${m.region}|${m.namespace}|${m.name}`;
}

/** `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]` -> its parts, or undefined when malformed. */
export function parseLogGroupArn(arn: string): LogGroupRef | undefined {
  const m = /^arn:(aws[a-z-]*):logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(:\*)?$/.exec(arn);
  if (!m?.[1] || !m[2] || !m[3] || !m[4]) return undefined;
  return { arn: logGroupKey(arn), partition: m[1], region: m[2], accountId: m[3], name: m[4] };
}

/** `arn:aws:sns:REGION:ACCOUNT:NAME` -> its parts, or undefined when not an SNS topic ARN. */
export function parseTopicArn(arn: string): TopicRef | undefined {
  const m = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/.exec(arn);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { arn, region: m[1], accountId: m[2], name: m[3] };
}

/** The account id in any ARN (`arn:partition:service:region:account:...`), when present. */
export function arnAccountId(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && isAccountId(account) ? account : undefined;
}
