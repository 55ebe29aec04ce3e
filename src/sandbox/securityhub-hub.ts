/**
 * A region's Security Hub as the sandbox keeps it: enabling it (with AWS's default standards when asked),
 * the hub and standards-subscription ARNs, and the known standards' ARNs from their short paths, so
 * scenarios, generated organizations and EnableSecurityHub build the same state.
 */
import type { RegionState, SecurityHubState } from './state';

/** The standards EnableSecurityHub turns on by default (EnableDefaultStandards). */
export const DEFAULT_STANDARDS = [
  'aws-foundational-security-best-practices/v/1.0.0',
  'cis-aws-foundations-benchmark/v/1.2.0',
] as const;

/** A standards ARN from an ARN or a short path; CIS 1.2.0 keeps its historical `ruleset` ARN, as AWS does. */
export function standardsArn(ref: string, region: string): string {
  if (ref.startsWith('arn:')) return ref;
  if (ref === 'cis-aws-foundations-benchmark/v/1.2.0') return `arn:aws:securityhub:::ruleset/${ref}`;
  return `arn:aws:securityhub:${region}::standards/${ref}`;
}

/** The subscription ARN of an enabled standard in an account and region. */
export function subscriptionArn(standards: string, region: string, account: string): string {
  const path = standards.replace(/^arn:aws:securityhub:[^:]*::(ruleset|standards)\//, '');
  return `arn:aws:securityhub:${region}:${account}:subscription/${path}`;
}

export function hubArn(region: string, account: string): string {
  return `arn:aws:securityhub:${region}:${account}:hub/default`;
}

export function enableHub(
  r: RegionState,
  region: string,
  options: { standards: readonly string[]; autoEnableControls?: boolean; controlFindingGenerator?: string },
  now = new Date(),
): SecurityHubState {
  r.securityHub = {
    subscribedAt: now,
    autoEnableControls: options.autoEnableControls ?? true,
    controlFindingGenerator: options.controlFindingGenerator ?? 'SECURITY_CONTROL',
    standards: options.standards.map((s) => standardsArn(s, region)),
    findings: new Map(),
  };
  return r.securityHub;
}
