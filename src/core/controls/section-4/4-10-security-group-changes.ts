/**
 * CIS 4.10, "Ensure security group changes are monitored": the control's one record: pattern, names, benign
 * events, IAM actions and the calls that break its chain (what every chain control shares is referenced from
 * ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS, cloudTrailCall } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_10: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.10',
  cis: { 'v4.0.0': '4.10', 'v3.0.0': '4.10', 'v1.2.0': '3.10' },
  title: 'Ensure security group changes are monitored',
  rationale: `Monitoring changes to security groups helps ensure resources and services are not unintentionally exposed. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern:
    '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }',
  variants: [],
  defaults: {
    filterName: 'security_group_changes_metric',
    metricName: 'security_group_changes_metric',
    alarmName: 'security_group_changes_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: [...COMMON_BENIGN_EVENTS, cloudTrailCall('ec2', 'DescribeSecurityGroups')],
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
