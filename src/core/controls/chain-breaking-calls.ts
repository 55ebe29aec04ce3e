/**
 * The AWS API calls that can break each link of the section-4 monitoring chain, as CloudTrail records
 * them (`eventSource`, `eventName`). Every chain control's record references this one table; the drift
 * alerts (issue 13) derive their EventBridge rule and their event-to-control mapping from it through
 * `breakingEvents()` (breaking-events.ts), never from a second list.
 *
 * The rule for a call to be here: after it succeeds, a re-audit of the link can judge it differently.
 * Calls that only add or repair (CreateTrail, StartLogging, Subscribe, ConfirmSubscription, AddPermission,
 * EnableAlarmActions) are left out, and so are calls that break delivery in ways the audit does not read
 * yet (noted per link below): when a link's audit learns to read more, its calls are added here.
 */
import type { ChainLinkName } from '../evaluate/findings';
import type { BreakingCall } from './types';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
const ORGANIZATIONS = 'organizations.amazonaws.com';
const LOGS = 'logs.amazonaws.com';
/** CloudWatch API calls are recorded with the service's original endpoint name. */
const CLOUDWATCH = 'monitoring.amazonaws.com';
const SNS = 'sns.amazonaws.com';
const KMS = 'kms.amazonaws.com';

export const CHAIN_BREAKING_CALLS: Readonly<Record<ChainLinkName, readonly BreakingCall[]>> = {
  trail: [
    {
      eventSource: CLOUDTRAIL,
      eventName: 'DeleteTrail',
      why: 'deletes the trail (and its shadow trails in every region): nothing records the account any more unless another multi-region trail does',
    },
    {
      eventSource: CLOUDTRAIL,
      eventName: 'UpdateTrail',
      why: 'IsMultiRegionTrail=false makes the trail record its home region only; IsOrganizationTrail=false drops the member accounts an organization trail covered',
    },
    {
      eventSource: ORGANIZATIONS,
      eventName: 'DisableAWSServiceAccess',
      why: 'disabling trusted access for cloudtrail.amazonaws.com stops organization trails from working for member accounts (AWS Organizations user guide, "AWS CloudTrail and AWS Organizations")',
      organizationWide: true,
    },
    {
      eventSource: ORGANIZATIONS,
      eventName: 'RemoveAccountFromOrganization',
      why: 'an account removed from the organization is no longer covered by the organization trail',
      organizationWide: true,
    },
    {
      eventSource: ORGANIZATIONS,
      eventName: 'LeaveOrganization',
      why: 'an account that leaves the organization (called in the member account) is no longer covered by the organization trail',
    },
  ],
  logging: [
    {
      eventSource: CLOUDTRAIL,
      eventName: 'StopLogging',
      why: 'the trail stops recording API calls (GetTrailStatus IsLogging=false)',
    },
  ],
  // PutInsightSelectors is not here: Insights selectors only add Insights events; they neither enable nor
  // disable management events (CloudTrail API reference, PutInsightSelectors).
  'management-events': [
    {
      eventSource: CLOUDTRAIL,
      eventName: 'PutEventSelectors',
      why: 'basic or advanced event selectors can stop recording management events (read, write or both) or exclude event sources such as KMS',
    },
  ],
  // The trail's delivery role (CloudWatchLogsRoleArn) can be broken by IAM calls, but the audit sees that
  // only later as a delivery error (a warning), and IAM role calls are frequent in every account (4.4
  // alarms on IAM policy changes itself). Associating a KMS key the role cannot use is the same case.
  'log-group': [
    {
      eventSource: CLOUDTRAIL,
      eventName: 'UpdateTrail',
      why: 'clearing or changing CloudWatchLogsLogGroupArn stops delivery to the log group that holds the metric filter',
    },
    {
      eventSource: LOGS,
      eventName: 'DeleteLogGroup',
      why: 'deletes the log group with every metric filter on it',
    },
  ],
  // Log transformers (PutTransformer, DeleteTransformer) change what a filter sees only when it applies to
  // transformed logs (applyOnTransformedLogs), which the audit does not read yet.
  'metric-filter': [
    {
      eventSource: LOGS,
      eventName: 'DeleteMetricFilter',
      why: 'deletes the metric filter that counts the events of the control',
    },
    {
      eventSource: LOGS,
      eventName: 'PutMetricFilter',
      why: 'overwrites a filter of the same name: another pattern may no longer catch every CIS event, or another metric no longer feeds the alarm',
    },
  ],
  // SetAlarmState is not here: it changes the state until the next evaluation (the fire drill uses it),
  // not the alarm's configuration.
  alarm: [
    {
      eventSource: CLOUDWATCH,
      eventName: 'DeleteAlarms',
      why: 'deletes the alarm on the metric of the filter',
    },
    {
      eventSource: CLOUDWATCH,
      eventName: 'PutMetricAlarm',
      why: 'overwrites the alarm: another metric or namespace, a threshold or statistic that never fires, or no SNS action',
    },
    {
      eventSource: CLOUDWATCH,
      eventName: 'DisableAlarmActions',
      why: 'ActionsEnabled=false: the alarm still changes state but notifies nobody',
    },
  ],
  // The KMS key of an encrypted topic: the audit reads it (DescribeKey, GetKeyPolicy), so the calls that
  // change a key are here. Re-pointing an alias (UpdateAlias, DeleteAlias) can do the same to a topic
  // that names its key by alias; it is left out for now (the sandbox does not serve alias writes).
  topic: [
    {
      eventSource: SNS,
      eventName: 'DeleteTopic',
      why: 'deletes the topic the alarm notifies, with its subscriptions',
    },
    {
      eventSource: SNS,
      eventName: 'SetTopicAttributes',
      why: 'a Policy that no longer lets cloudwatch.amazonaws.com publish, or a KmsMasterKeyId CloudWatch cannot use, makes the alarm fire into nothing',
    },
    {
      eventSource: SNS,
      eventName: 'RemovePermission',
      why: 'removes a statement of the access policy of the topic, such as the one that lets CloudWatch publish',
    },
    {
      eventSource: KMS,
      eventName: 'PutKeyPolicy',
      why: "a key policy without cloudwatch.amazonaws.com's kms:GenerateDataKey* and kms:Decrypt stops CloudWatch from publishing to the topic encrypted with it",
    },
    {
      eventSource: KMS,
      eventName: 'DisableKey',
      why: 'a disabled key cannot encrypt: SNS drops the notifications of a topic encrypted with it',
    },
    {
      eventSource: KMS,
      eventName: 'ScheduleKeyDeletion',
      why: 'a key pending deletion cannot encrypt: SNS drops the notifications of a topic encrypted with it',
    },
  ],
  // Subscribe is not here: a new subscription starts PendingConfirmation and cannot break one that exists.
  // SetSubscriptionAttributes (a FilterPolicy that drops the alarm's messages) can silence a subscriber,
  // but the audit does not read subscription attributes yet.
  subscription: [
    {
      eventSource: SNS,
      eventName: 'Unsubscribe',
      why: 'removes a subscription; with no other confirmed one, nobody receives the alarm',
    },
  ],
};
