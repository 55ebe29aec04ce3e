/**
 * CIS 4.7, "Ensure disabling or scheduled deletion of customer created CMKs is monitored": the control's one
 * record: pattern, names, benign events, IAM actions and the calls that break its chain (what every chain
 * control shares is referenced from ../chain.ts and ../chain-breaking-calls.ts).
 */
import { APP_ROLE, COMMON_BENIGN_EVENTS, cloudTrailCall } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_7: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.7',
  cis: { 'v4.0.0': '4.7', 'v3.0.0': '4.7', 'v1.2.0': '3.7' },
  title: 'Ensure disabling or scheduled deletion of customer created CMKs is monitored',
  rationale: `Data encrypted with disabled or deleted keys is no longer accessible. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern:
    '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }',
  variants: [],
  defaults: {
    filterName: 'disable_or_delete_cmk_changes_metric',
    metricName: 'disable_or_delete_cmk_changes_metric',
    alarmName: 'disable_or_delete_cmk_changes_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: [
    ...COMMON_BENIGN_EVENTS,
    // Every read of an encrypted object or secret calls Decrypt.
    cloudTrailCall('kms', 'Decrypt', {
      userIdentity: APP_ROLE,
      sourceIPAddress: '198.51.100.7',
      requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    }),
    cloudTrailCall('kms', 'DescribeKey'),
  ],
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
