/**
 * CIS 4.11, "Ensure Network Access Control Lists (NACL) changes are monitored": the control's one record:
 * pattern, names, benign events, IAM actions and the calls that break its chain (what every chain control
 * shares is referenced from ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS, cloudTrailCall } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_11: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.11',
  cis: { 'v4.0.0': '4.11', 'v3.0.0': '4.11', 'v1.2.0': '3.11' },
  title: 'Ensure Network Access Control Lists (NACL) changes are monitored',
  rationale: `Monitoring changes to NACLs helps ensure AWS resources and services are not unintentionally exposed. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern:
    '{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }',
  variants: [],
  defaults: {
    filterName: 'nacl_changes_metric',
    metricName: 'nacl_changes_metric',
    alarmName: 'nacl_changes_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: [...COMMON_BENIGN_EVENTS, cloudTrailCall('ec2', 'DescribeNetworkAcls')],
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
