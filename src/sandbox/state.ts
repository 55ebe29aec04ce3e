/**
 * The sandbox's live, mutable AWS state: accounts, their regions and resources, and the temporary
 * sessions AssumeRole handed out. Resources are stored under AWS's own member names (the wire shape of
 * each service) so handlers can answer with them directly and tests can compare them with SDK output.
 * Built from a validated scenario by `buildState` (./build-state); regions not in the scenario are created empty on demand.
 */
import { createHash } from 'node:crypto';
import type { Queue } from './sqs-queue';

export interface EventSelector {
  ReadWriteType: 'ReadOnly' | 'WriteOnly' | 'All';
  IncludeManagementEvents: boolean;
  DataResources: { Type: string; Values: string[] }[];
  ExcludeManagementEventSources: string[];
}
export interface AdvancedFieldSelector {
  Field: string;
  Equals?: string[];
  NotEquals?: string[];
  StartsWith?: string[];
  NotStartsWith?: string[];
  EndsWith?: string[];
  NotEndsWith?: string[];
}
export interface AdvancedEventSelector {
  Name?: string;
  FieldSelectors: AdvancedFieldSelector[];
}

export interface TrailState {
  Name: string;
  TrailARN: string;
  HomeRegion: string;
  /** The account that owns the trail (the management account for organization trails). */
  OwnerAccountId: string;
  IsMultiRegionTrail: boolean;
  IsOrganizationTrail: boolean;
  IncludeGlobalServiceEvents: boolean;
  LogFileValidationEnabled: boolean;
  S3BucketName: string;
  CloudWatchLogsLogGroupArn?: string;
  CloudWatchLogsRoleArn?: string;
  KmsKeyId?: string;
  HasCustomEventSelectors: boolean;
  /** Exactly one of the two selector kinds is set. */
  EventSelectors?: EventSelector[];
  AdvancedEventSelectors?: AdvancedEventSelector[];
  InsightSelectors?: { InsightType: string; EventCategories?: string[] }[];
  IsLogging: boolean;
  StartLoggingTime?: Date;
  StopLoggingTime?: Date;
  LatestCloudWatchLogsDeliveryError?: string;
  LatestCloudWatchLogsDeliveryTime?: Date;
}

export interface MetricTransformation {
  metricName: string;
  metricNamespace: string;
  metricValue: string;
  defaultValue?: number;
  unit?: string;
  dimensions?: Record<string, string>;
}
export interface MetricFilterState {
  filterName: string;
  filterPattern: string;
  metricTransformations: MetricTransformation[];
  creationTime: number;
  logGroupName: string;
}
export interface LogGroupState {
  logGroupName: string;
  creationTime: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  metricFilters: Map<string, MetricFilterState>;
}

export interface AlarmState {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  AlarmConfigurationUpdatedTimestamp: Date;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  StateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  StateReason: string;
  StateUpdatedTimestamp: Date;
  StateTransitionedTimestamp: Date;
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions: { Name: string; Value: string }[];
  Period?: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  EvaluateLowSampleCountPercentile?: string;
  Metrics?: unknown[];
  ThresholdMetricId?: string;
}

export interface SubscriptionState {
  /** The sandbox's id; the ConfirmSubscription token, and the ARN suffix once confirmed. */
  id: string;
  protocol: string;
  endpoint: string;
  confirmed: boolean;
  owner: string;
  attributes: Record<string, string>;
}
export interface TopicState {
  name: string;
  arn: string;
  owner: string;
  /** Settable attributes (Policy, DisplayName, DeliveryPolicy, KmsMasterKeyId ...). */
  attributes: Record<string, string>;
  subscriptions: SubscriptionState[];
}

export interface AlarmHistoryItem {
  AlarmName: string;
  AlarmType: 'MetricAlarm';
  Timestamp: Date;
  HistoryItemType: 'ConfigurationUpdate' | 'StateUpdate' | 'Action';
  HistorySummary: string;
  HistoryData: string;
}

export interface KmsKeyState {
  KeyId: string;
  Arn: string;
  Description: string;
  KeyManager: 'AWS' | 'CUSTOMER';
  Enabled: boolean;
  CreationDate: Date;
  policy: string;
  /** Set by ScheduleKeyDeletion: the key is PendingDeletion (and not Enabled) until then. */
  deletionDate?: Date;
}

export interface SecurityHubState {
  subscribedAt: Date;
  autoEnableControls: boolean;
  controlFindingGenerator: string;
  /** Enabled standards by their standards ARN. */
  standards: string[];
  /** Imported findings by `ProductArn|Id` (BatchImportFindings upserts on that pair). */
  findings: Map<string, Record<string, unknown>>;
  /**
   * Tests: findings whose Id starts with `idPrefix` are refused in FailedFindings with `errorCode`, `times`
   * times in all (what AWS reports for a finding it could not take: InvalidInput, InternalException...).
   */
  importFaults?: Array<{ idPrefix: string; errorCode: string; times: number }>;
}

export interface RegionState {
  trails: Map<string, TrailState>;
  logGroups: Map<string, LogGroupState>;
  alarms: Map<string, AlarmState>;
  topics: Map<string, TopicState>;
  queues: Map<string, Queue>;
  /** When a queue name was last deleted (CreateQueue of that name within 60 s is refused, as AWS does). */
  deletedQueues: Map<string, number>;
  /** Alarm history of the region, oldest first (DescribeAlarmHistory reads it newest first by default). */
  alarmHistory: AlarmHistoryItem[];
  kmsKeys: Map<string, KmsKeyState>;
  /** Alias name (`alias/...`) to key id. */
  kmsAliases: Map<string, string>;
  /** Absent while Security Hub is not enabled in the region. */
  securityHub?: SecurityHubState;
}

export interface RoleState {
  name: string;
  arn: string;
  roleId: string;
  externalId?: string;
  trustedAccounts?: string[];
  deniedActions: string[];
}

export interface AccountState {
  id: string;
  label?: string;
  userName: string;
  accessKeyId: string;
  secretAccessKey: string;
  deniedActions: string[];
  roles: Map<string, RoleState>;
  regions: Map<string, RegionState>;
}

export interface SessionState {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleName: string;
  sessionName: string;
  expiration: Date;
}

export interface OrganizationalUnitState {
  Id: string;
  Arn: string;
  Name: string;
  parentId: string;
}

export interface OrganizationState {
  id: string;
  arn: string;
  rootId: string;
  managementAccount: string;
  /** Every account of the organization but the management account. */
  members: string[];
  /** Whether members may read an organization trail's status and selectors by its ARN. */
  memberStatusCalls: 'allowed' | 'denied';
  /** Accounts that may call the Organizations read APIs besides the management account. */
  delegatedAdministrators: Set<string>;
  suspended: Set<string>;
  ous: Map<string, OrganizationalUnitState>;
  /** Each account's parent (the root or an OU id). */
  parentOf: Map<string, string>;
  /** Services with trusted access (Enable/DisableAWSServiceAccess), with the date enabled. */
  trustedServices: Map<string, Date>;
  joinedAt: Date;
}

/** Where chain-change events go (scenario `events`): matching calls are forwarded to `queueArn`. */
export interface EventRoute {
  accounts?: string[];
  regions?: string[];
  /** EventBridge sources (`aws.cloudwatch`, `aws.cloudtrail`, `aws.logs`, `aws.sns`, `aws.securityhub`). */
  sources?: string[];
  /** CloudTrail event names (`DeleteAlarms`, `StopLogging`...). */
  names?: string[];
  queueArn: string;
  /** The EventBridge rule the route stands for (its ARN is the aws:SourceArn a queue policy may require). */
  ruleName: string;
}

/** One delivery the sandbox attempted (SNS to a subscription, or a chain-change event to a queue). */
export interface DeliveryRecord {
  at: Date;
  /** The topic ARN, or `events` for a chain-change event. */
  source: string;
  protocol: string;
  endpoint: string;
  outcome: 'delivered' | 'denied' | 'missing';
  reason?: string;
}

export interface SandboxState {
  organization?: OrganizationState;
  accounts: Map<string, AccountState>;
  /** Temporary credentials from AssumeRole, by access key id. */
  sessions: Map<string, SessionState>;
  events: EventRoute[];
  /** The most recent deliveries (bounded), oldest first. */
  deliveries: DeliveryRecord[];
  /** An account's region, created empty on first use. Throws for an unknown account. */
  region(accountId: string, region: string): RegionState;
  /** The account whose base access key this is. */
  accountByAccessKey(accessKeyId: string): AccountState | undefined;
  /** Adds an account (scenario or generated) and indexes its access key. */
  addAccount(account: AccountState): void;
  /**
   * AWS stops accepting this access key (an account's base key, or an AssumeRole session's): calls signed
   * with it get the protocol's invalid-token error from now on, as for a deleted key or revoked session.
   */
  revokeAccessKey(accessKeyId: string): void;
  recordDelivery(record: Omit<DeliveryRecord, 'at'>): void;
}

/** A short stable id from text (for role ids, subscription ids) so runs repeat. */
export function stableId(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

export function emptyRegion(): RegionState {
  return {
    trails: new Map(),
    logGroups: new Map(),
    alarms: new Map(),
    topics: new Map(),
    queues: new Map(),
    deletedQueues: new Map(),
    alarmHistory: [],
    kmsKeys: new Map(),
    kmsAliases: new Map(),
  };
}

export function defaultTopicPolicy(arn: string, owner: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': owner } },
      },
    ],
  });
}

/** Protocols whose subscriptions AWS confirms at once; the others wait for the endpoint to confirm. */
export function confirmsAtOnce(protocol: string): boolean {
  return ['sqs', 'lambda', 'application', 'firehose'].includes(protocol);
}

export function newTopic(name: string, region: string, account: string): TopicState {
  const arn = `arn:aws:sns:${region}:${account}:${name}`;
  return {
    name,
    arn,
    owner: account,
    attributes: { Policy: defaultTopicPolicy(arn, account), DisplayName: '' },
    subscriptions: [],
  };
}

export function newRole(account: string, name: string, deniedActions: string[] = []): RoleState {
  return {
    name,
    arn: `arn:aws:iam::${account}:role/${name}`,
    roleId: `AROA${stableId(`${account}/${name}`).toUpperCase()}`,
    deniedActions,
  };
}

/** A UUID-shaped stable id (SNS subscription ARNs end in a UUID). */
export function stableIdUuid(text: string): string {
  const h = stableId(text, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
