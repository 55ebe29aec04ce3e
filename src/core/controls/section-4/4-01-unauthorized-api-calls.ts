/**
 * CIS 4.1, "Ensure unauthorized API calls are monitored": the control's one record: pattern, names, benign
 * events, IAM actions and the calls that break its chain (what every chain control shares is referenced from
 * ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_1: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.1',
  cis: { 'v4.0.0': '4.1', 'v3.0.0': '4.1', 'v1.2.0': '3.1' },
  title: 'Ensure unauthorized API calls are monitored',
  rationale: `Monitoring unauthorized API calls helps reduce the time to detect malicious activity and can alert you to a potential security incident. ${CHAIN_RATIONALE}`,
  severity: 'high',
  pattern:
    '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
  variants: [],
  defaults: {
    filterName: 'unauthorized_api_calls_metric',
    metricName: 'unauthorized_api_calls_metric',
    alarmName: 'unauthorized_api_calls_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: COMMON_BENIGN_EVENTS,
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
