/**
 * The pure evaluation of a service control (CIS 4.16, Security Hub enabled) from the shared snapshot: one
 * `security-hub` link per region checked (the audit region and every region where a trail or the chain
 * lives; each link says why its region was checked). A region where the hub is off fails the control
 * (with the exact CLI line to enable it there: a billing decision, so guidance only); a region that could
 * not be read makes it ERROR unless another region already fails; standards that could not be read, or
 * none subscribed, are warnings. Trails that could not be listed leave the regions in use unknown: ERROR.
 */
import type { ServiceControl } from '../controls/types';
import { unhandledCheck } from '../controls/types';
import type { AccountSnapshot, SecurityHubSnapshot } from '../snapshot';
import { findingBase, unreachableFinding } from './evaluate';
import type { AccountFinding, LinkResult } from './findings';
import { errorLink, fail, pass, warn } from './links';

export function evaluateService(control: ServiceControl, snap: AccountSnapshot): AccountFinding {
  const unreachable = unreachableFinding(control.id, snap);
  if (unreachable) return unreachable;
  let links: LinkResult[];
  switch (control.check) {
    case 'security-hub':
      links = securityHubLinks(control, snap);
      break;
    default:
      return unhandledCheck(control.check);
  }
  const failing = links.filter((l) => l.status === 'fail');
  const errors = links.filter((l) => l.status === 'error');
  const base = { ...findingBase(control.id, snap), links, chain: {}, candidates: 0 };
  if (failing.length > 0) {
    const reason =
      failing.length === 1 ? (failing[0] as LinkResult).detail : severalRegions(control, failing);
    return { ...base, status: 'NON_COMPLIANT', reason, brokenLink: control.check };
  }
  if (errors.length > 0) {
    return { ...base, status: 'ERROR', reason: (errors[0] as LinkResult).detail, brokenLink: control.check };
  }
  const regions = links.map((l) => String(l.evidence.region)).join(', ');
  const warns = links.filter((l) => l.status === 'warn').length;
  return {
    ...base,
    status: 'COMPLIANT',
    reason: `Security Hub is enabled in every region in use (${regions})${warns ? `; ${warns} warning(s)` : ''}.`,
  };
}

function severalRegions(control: ServiceControl, failing: LinkResult[]): string {
  const regions = failing.map((l) => String(l.evidence.region));
  return `Security Hub is not enabled in ${regions.join(', ')}: enable it in each (${guidanceLine(control, '<region>')}).`;
}

/** The record's CLI line for one region. */
export function guidanceLine(control: ServiceControl, region: string): string {
  return control.guidance.cli.replaceAll('{region}', region);
}

/** `cis-aws-foundations-benchmark/v/3.0.0` from a standards ARN. */
function standardName(arn: string): string {
  return arn.replace(/^arn:[^:]+:securityhub:[^:]*:[^:]*:(standards|ruleset)\//, '');
}

function securityHubLinks(control: ServiceControl, snap: AccountSnapshot): LinkResult[] {
  const hubs = snap.securityHub;
  if (!hubs) {
    return [
      errorLink(
        'security-hub',
        { kind: 'failed', action: 'securityhub:DescribeHub', message: 'not read by the collector' },
        `Security Hub in ${snap.auditRegion}`,
        { region: snap.auditRegion },
      ),
    ];
  }
  const links = hubs.map((h) => regionLink(control, h));
  if (!snap.trails.ok) {
    // Without the trails, the regions where the account's trail and chain live are unknown.
    links.push(
      errorLink(
        'security-hub',
        snap.trails.error,
        `the trails of region ${snap.auditRegion} (needed to find every region in use; only ${hubs.map((h) => h.region).join(', ')} was checked)`,
        { region: snap.auditRegion },
      ),
    );
  }
  return links;
}

function regionLink(control: ServiceControl, h: SecurityHubSnapshot): LinkResult {
  const evidence = { region: h.region, checkedBecause: h.reasons };
  const why = h.reasons.join('; ');
  if (!h.hub.ok)
    return errorLink('security-hub', h.hub.error, `Security Hub in ${h.region} (${why})`, evidence);
  const hub = h.hub.value;
  if (!hub.enabled) {
    return fail(
      'security-hub',
      `Security Hub is not enabled in ${h.region} (${why}). ${control.guidance.text} Run: ${guidanceLine(control, h.region)}`,
      { ...evidence, enabled: false, code: hub.code, guidance: guidanceLine(control, h.region) },
    );
  }
  const hubEvidence = {
    ...evidence,
    enabled: true,
    hubArn: hub.hubArn,
    subscribedAt: hub.subscribedAt ?? null,
    autoEnableControls: hub.autoEnableControls ?? null,
  };
  const since = hub.subscribedAt ? ` since ${hub.subscribedAt}` : '';
  if (!h.standards)
    return pass('security-hub', `Security Hub is enabled in ${h.region}${since} (${why}).`, hubEvidence);
  if (!h.standards.ok) {
    const e = h.standards.error;
    return warn(
      'security-hub',
      `Security Hub is enabled in ${h.region}${since} (${why}), but its standards could not be read: ${e.message} (${e.action}).`,
      { ...hubEvidence, standardsError: { kind: e.kind, action: e.action, code: e.code ?? null } },
    );
  }
  const standards = h.standards.value.map((s) => ({
    standard: standardName(s.arn),
    arn: s.arn,
    status: s.status,
  }));
  if (standards.length === 0) {
    return warn(
      'security-hub',
      `Security Hub is enabled in ${h.region}${since} (${why}), but no standard is enabled: it checks nothing.`,
      { ...hubEvidence, standards },
    );
  }
  return pass(
    'security-hub',
    `Security Hub is enabled in ${h.region}${since} (${why}); standards: ${standards.map((s) => s.standard).join(', ')}.`,
    { ...hubEvidence, standards },
  );
}
