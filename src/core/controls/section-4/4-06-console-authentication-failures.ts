/**
 * CIS 4.6, "Ensure AWS Management Console authentication failures are monitored": the control's one record:
 * pattern, names, benign events, IAM actions and the calls that break its chain (what every chain control
 * shares is referenced from ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_6: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.6',
  cis: { 'v4.0.0': '4.6', 'v3.0.0': '4.6', 'v1.2.0': '3.6' },
  title: 'Ensure AWS Management Console authentication failures are monitored',
  rationale: `Monitoring failed console logins may decrease the lead time to detect a brute-force attempt. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  variants: [],
  defaults: {
    filterName: 'console_signin_failure_metric',
    metricName: 'console_signin_failure_metric',
    alarmName: 'console_signin_failure_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: COMMON_BENIGN_EVENTS,
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
