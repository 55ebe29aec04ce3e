/**
 * CIS 4.5, "Ensure CloudTrail configuration changes are monitored": the control's one record: pattern,
 * names, benign events, IAM actions and the calls that break its chain (what every chain control shares is
 * referenced from ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS, cloudTrailCall } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_5: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.5',
  cis: { 'v4.0.0': '4.5', 'v3.0.0': '4.5', 'v1.2.0': '3.5' },
  title: 'Ensure CloudTrail configuration changes are monitored',
  rationale: `Monitoring changes to CloudTrail configuration helps ensure sustained visibility into account activity. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern:
    '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }',
  variants: [],
  defaults: {
    filterName: 'cloudtrail_cfg_changes_metric',
    metricName: 'cloudtrail_cfg_changes_metric',
    alarmName: 'cloudtrail_cfg_changes_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: [
    ...COMMON_BENIGN_EVENTS,
    // cis-bot's own audit calls these on every run.
    cloudTrailCall('cloudtrail', 'DescribeTrails'),
    cloudTrailCall('cloudtrail', 'GetTrailStatus'),
  ],
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
