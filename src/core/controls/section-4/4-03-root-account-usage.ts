/**
 * CIS 4.3, "Ensure usage of the 'root' account is monitored": the control's one record: pattern, names,
 * benign events, IAM actions and the calls that break its chain (what every chain control shares is
 * referenced from ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_3: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.3',
  cis: { 'v4.0.0': '4.3', 'v3.0.0': '4.3', 'v1.2.0': '3.3' },
  title: "Ensure usage of the 'root' account is monitored",
  rationale: `Monitoring root account logins provides visibility into the use of a fully privileged account. ${CHAIN_RATIONALE}`,
  severity: 'high',
  pattern:
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  variants: [],
  defaults: {
    filterName: 'root_usage_metric',
    metricName: 'root_usage_metric',
    alarmName: 'root_usage_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: COMMON_BENIGN_EVENTS,
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
