/**
 * CIS 4.14, "Ensure VPC changes are monitored": the control's one record: pattern, names, benign events, IAM
 * actions and the calls that break its chain (what every chain control shares is referenced from ../chain.ts
 * and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS, cloudTrailCall } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_14: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.14',
  cis: { 'v4.0.0': '4.14', 'v3.0.0': '4.14', 'v1.2.0': '3.14' },
  title: 'Ensure VPC changes are monitored',
  rationale: `Monitoring changes to VPCs helps ensure VPC traffic flow is not adversely impacted. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern:
    '{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }',
  variants: [],
  defaults: {
    filterName: 'vpc_changes_metric',
    metricName: 'vpc_changes_metric',
    alarmName: 'vpc_changes_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: [
    ...COMMON_BENIGN_EVENTS,
    cloudTrailCall('ec2', 'DescribeVpcs'),
    cloudTrailCall('ec2', 'DescribeVpcAttribute'),
  ],
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
