/**
 * CIS 4.16, "Ensure AWS Security Hub is enabled": the section's one service control. No pattern and no
 * chain: Security Hub must be enabled in every region in use. The audit reads the hub (DescribeHub) in
 * the audit region and in every region where a trail or the monitoring chain lives, and the standards
 * subscribed (GetEnabledStandards) as evidence. Enabling Security Hub is a billing decision, so the
 * remediation is guidance with the exact CLI line, never an automatic step.
 */
import type { ServiceControl } from '../types';

export const CIS_4_16: ServiceControl = {
  kind: 'service',
  id: '4.16',
  cis: { 'v4.0.0': '4.16', 'v3.0.0': '4.16' },
  title: 'Ensure AWS Security Hub is enabled',
  rationale:
    'Security Hub collects security data from across AWS accounts, services and partner products, and checks the environment against security standards such as the CIS AWS Foundations Benchmark; it works per region, so every region in use needs it.',
  severity: 'medium',
  check: 'security-hub',
  // DescribeTrails finds the regions where a trail or the chain lives (each is checked too).
  readActions: ['cloudtrail:DescribeTrails', 'securityhub:DescribeHub', 'securityhub:GetEnabledStandards'],
  remediationActions: [],
  breakingCalls: {
    'security-hub': [
      {
        eventSource: 'securityhub.amazonaws.com',
        eventName: 'DisableSecurityHub',
        why: 'turns Security Hub off in the region: its standards and findings stop',
      },
    ],
  },
  guidance: {
    text: 'Enable AWS Security Hub in every region the account uses (enabling it starts charges, so it is a decision for the account owner, not an automatic step); the default standards include AWS Foundational Security Best Practices.',
    cli: 'aws securityhub enable-security-hub --region {region} --enable-default-standards',
  },
};
