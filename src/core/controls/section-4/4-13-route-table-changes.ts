/**
 * CIS 4.13, "Ensure route table changes are monitored": the control's one record: pattern, names, benign
 * events, IAM actions and the calls that break its chain (what every chain control shares is referenced from
 * ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS, cloudTrailCall } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_13: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.13',
  cis: { 'v4.0.0': '4.13', 'v3.0.0': '4.13', 'v1.2.0': '3.13' },
  title: 'Ensure route table changes are monitored',
  rationale: `Monitoring changes to route tables helps ensure all VPC traffic flows through an expected path. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern:
    '{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }',
  variants: [],
  defaults: {
    filterName: 'route_table_changes_metric',
    metricName: 'route_table_changes_metric',
    alarmName: 'route_table_changes_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: [...COMMON_BENIGN_EVENTS, cloudTrailCall('ec2', 'DescribeRouteTables')],
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
