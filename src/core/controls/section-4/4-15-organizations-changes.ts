/**
 * CIS 4.15, "Ensure AWS Organizations changes are monitored": the control's one record: pattern, names,
 * benign events, IAM actions and the calls that break its chain (what every chain control shares is
 * referenced from ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS, cloudTrailCall } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_15: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.15',
  cis: { 'v4.0.0': '4.15', 'v3.0.0': '4.15' },
  title: 'Ensure AWS Organizations changes are monitored',
  rationale: `Monitoring AWS Organizations changes helps prevent unwanted, accidental or intentional modifications. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern:
    '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
  variants: [],
  defaults: {
    filterName: 'organizations_changes_metric',
    metricName: 'organizations_changes_metric',
    alarmName: 'organizations_changes_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: [
    ...COMMON_BENIGN_EVENTS,
    cloudTrailCall('organizations', 'DescribeOrganization'),
    cloudTrailCall('organizations', 'ListAccounts'),
  ],
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
