/**
 * CIS 4.8, "Ensure S3 bucket policy changes are monitored": the control's one record: pattern, names, benign
 * events, IAM actions and the calls that break its chain (what every chain control shares is referenced from
 * ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS, cloudTrailCall } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_8: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.8',
  cis: { 'v4.0.0': '4.8', 'v3.0.0': '4.8', 'v1.2.0': '3.8' },
  title: 'Ensure S3 bucket policy changes are monitored',
  rationale: `Monitoring changes to S3 bucket policies may reduce the time to detect and correct permissive policies on sensitive buckets. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern:
    '{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }',
  variants: [],
  defaults: {
    filterName: 's3_bucket_policy_changes_metric',
    metricName: 's3_bucket_policy_changes_metric',
    alarmName: 's3_bucket_policy_changes_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: [
    ...COMMON_BENIGN_EVENTS,
    cloudTrailCall('s3', 'GetBucketPolicy'),
    cloudTrailCall('s3', 'GetBucketAcl'),
  ],
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
