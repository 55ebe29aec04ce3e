/**
 * CIS 4.2, "Ensure management console sign-in without MFA is monitored": the control's one record: pattern,
 * names, benign events, IAM actions and the calls that break its chain (what every chain control shares is
 * referenced from ../chain.ts and ../chain-breaking-calls.ts).
 */
import { COMMON_BENIGN_EVENTS } from '../benign-events';
import { CHAIN_RATIONALE, CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_METRIC_ALARM } from '../chain';
import { CHAIN_BREAKING_CALLS } from '../chain-breaking-calls';
import type { MetricFilterControl } from '../types';

export const CIS_4_2: MetricFilterControl = {
  kind: 'metric-filter-chain',
  id: '4.2',
  cis: { 'v4.0.0': '4.2', 'v3.0.0': '4.2', 'v1.2.0': '3.2' },
  title: 'Ensure management console sign-in without MFA is monitored',
  rationale: `Monitoring single-factor console logins increases visibility into accounts not protected by MFA. ${CHAIN_RATIONALE}`,
  severity: 'medium',
  pattern: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
  variants: [
    {
      name: 'SSO',
      pattern:
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
      relation: 'NARROWER',
      why: 'For accounts whose people sign in through SSO: counts only successful sign-ins of IAM users without MFA, so federated sign-ins (MFA is enforced by the identity provider) and failed attempts raise no alarm.',
    },
  ],
  defaults: {
    filterName: 'no_mfa_console_signin_metric',
    metricName: 'no_mfa_console_signin_metric',
    alarmName: 'no_mfa_console_signin_alarm',
    ...CIS_METRIC_ALARM,
  },
  benignEvents: COMMON_BENIGN_EVENTS,
  readActions: CHAIN_READ_ACTIONS,
  remediationActions: CHAIN_REMEDIATION_ACTIONS,
  breakingCalls: CHAIN_BREAKING_CALLS,
};
