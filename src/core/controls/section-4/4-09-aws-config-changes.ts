/**
 * CIS 4.9, "Ensure AWS Config configuration changes are monitored": the control's one record: pattern,
 * names, benign events, IAM actions and the calls that break its chain (what every chain control shares is
 * referenced from ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS, cloudTrailCall } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_9: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.9',
  cis: { 'v4.0.0': '4.9', 'v3.0.0': '4.9', 'v1.2.0': '3.9' },
  title: 'Ensure AWS Config configuration changes are monitored',
  rationale: `Monitoring changes to AWS Config configuration helps ensure sustained visibility of configuration items. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern:
    '{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel) ||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }',
  variants: [],
  defaults: {
    filterName: 'aws_config_changes_metric',
    metricName: 'aws_config_changes_metric',
    alarmName: 'aws_config_changes_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: [
    ...COMMON_BENIGN_EVENTS,
    // AWS Config rules report their results with PutEvaluations all day long.
    cloudTrailCall('config', 'DescribeConfigurationRecorders'),
    cloudTrailCall('config', 'PutEvaluations', { readOnly: false }),
  ],
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
