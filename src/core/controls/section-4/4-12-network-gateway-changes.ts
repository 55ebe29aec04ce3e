/**
 * CIS 4.12, "Ensure changes to network gateways are monitored": the control's one record: pattern, names,
 * benign events, IAM actions and the calls that break its chain (what every chain control shares is
 * referenced from ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS, cloudTrailCall } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_12: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.12',
  cis: { 'v4.0.0': '4.12', 'v3.0.0': '4.12', 'v1.2.0': '3.12' },
  title: 'Ensure changes to network gateways are monitored',
  rationale: `Monitoring changes to network gateways helps ensure all ingress/egress traffic traverses a controlled path. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern:
    '{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }',
  variants: [],
  defaults: {
    filterName: 'network_gw_changes_metric',
    metricName: 'network_gw_changes_metric',
    alarmName: 'network_gw_changes_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: [
    ...COMMON_BENIGN_EVENTS,
    cloudTrailCall('ec2', 'DescribeInternetGateways'),
    cloudTrailCall('ec2', 'DescribeCustomerGateways'),
  ],
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
