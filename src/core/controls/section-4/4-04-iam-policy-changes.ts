/**
 * CIS 4.4, "Ensure IAM policy changes are monitored": the control's one record: pattern, names, benign
 * events, IAM actions and the calls that break its chain (what every chain control shares is referenced from
 * ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS, cloudTrailCall } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_4: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.4',
  cis: { 'v4.0.0': '4.4', 'v3.0.0': '4.4', 'v1.2.0': '3.4' },
  title: 'Ensure IAM policy changes are monitored',
  rationale: `Monitoring changes to IAM policies helps ensure authentication and authorization controls remain intact. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern:
    '{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}',
  variants: [],
  defaults: {
    filterName: 'iam_changes_metric',
    metricName: 'iam_changes_metric',
    alarmName: 'iam_changes_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: [
    ...COMMON_BENIGN_EVENTS,
    cloudTrailCall('iam', 'GetPolicy'),
    cloudTrailCall('iam', 'ListAttachedRolePolicies'),
  ],
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
