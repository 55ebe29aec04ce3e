/**
 * What every metric-filter-chain control shares, referenced by name from each record in section-4/:
 * the IAM actions its audit reads and its remediation calls, the CIS alarm settings, and the sentence
 * about the chain every rationale ends with. The API calls that break each link are in
 * chain-breaking-calls.ts.
 */
import type { MetricAlarmDefaults } from './types';

/** What an audit of any section-4 chain control reads, one IAM action per API operation it calls. */
export const CHAIN_READ_ACTIONS = [
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:GetEventSelectors',
  'logs:DescribeMetricFilters',
  'cloudwatch:DescribeAlarmsForMetric',
  'sns:ListSubscriptionsByTopic',
  'sns:GetTopicAttributes',
  // An encrypted topic's key: CloudWatch must be able to use it (DescribeKey resolves an alias).
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
] as const;

/**
 * Read when ONE audit covers several chain controls (a section): each region's alarms in one paginated
 * DescribeAlarms shared by every control, instead of one DescribeAlarmsForMetric per metric (which stays
 * the fallback for a region with more alarms than that saves).
 */
export const SECTION_READ_ACTIONS = ['cloudwatch:DescribeAlarms'] as const;

/** What the CIS remediation of a chain control calls (put-metric-filter, create-topic, subscribe, put-metric-alarm). */
export const CHAIN_REMEDIATION_ACTIONS = [
  'logs:PutMetricFilter',
  'sns:CreateTopic',
  'sns:Subscribe',
  'cloudwatch:PutMetricAlarm',
  // The executor re-reads the alarm by name before writing it (idempotence, never overwrite unplanned).
  'cloudwatch:DescribeAlarms',
] as const;

/** The CIS remediation's metric value and `put-metric-alarm` settings, the same for every chain control. */
export const CIS_METRIC_ALARM = {
  metricNamespace: 'CISBenchmark',
  metricValue: '1',
  statistic: 'Sum',
  period: 300,
  threshold: 1,
  comparisonOperator: 'GreaterThanOrEqualToThreshold',
  evaluationPeriods: 1,
} as const satisfies Omit<MetricAlarmDefaults, 'filterName' | 'metricName' | 'alarmName'>;

/** Appended to every chain control's own rationale. */
export const CHAIN_RATIONALE =
  'Real-time monitoring of API calls: CloudTrail delivers to CloudWatch Logs, a metric filter counts the ' +
  'matching events, and an alarm notifies an SNS topic with a confirmed subscriber.';
