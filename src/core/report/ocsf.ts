/**
 * `--output ocsf`: one OCSF Compliance Finding event (class_uid 2003, category Findings) per (account x
 * control), as a JSON array. The ids follow the schema's rules: type_uid = class_uid * 100 + activity_id,
 * every `*_id` with its caption beside it; statuses come from STATUS_MAP (compliance Pass / Warning /
 * Fail, and the finding's lifecycle New / Resolved). The audited account is `cloud.account` (type AWS
 * Account) and the affected resource; the chain's link statuses travel in `unmapped`, the place OCSF
 * gives to source data without an attribute. Tests validate every event against a pinned copy of the
 * OCSF schema's definitions (test/fixtures/ocsf).
 */
import type { Severity } from '../controls/types';
import { findingId, STANDARD_PATH } from './finding-id';
import { BENCHMARK, type ControlResult, type ReportRun, recommendation } from './results';
import { STATUS_MAP } from './status-map';

/** The OCSF schema version these events follow (the pinned copy the tests validate against). */
export const OCSF_VERSION = '1.5.0';

const CLASS = { uid: 2003, name: 'Compliance Finding' } as const;
const CATEGORY = { uid: 2, name: 'Findings' } as const;
/** Each run reports the finding as it is now: a Create activity (finding.activity_id 1). */
const ACTIVITY = { id: 1, name: 'Create' } as const;

const SEVERITY_ID: Record<Severity | 'informational', { id: number; name: string }> = {
  informational: { id: 1, name: 'Informational' },
  low: { id: 2, name: 'Low' },
  medium: { id: 3, name: 'Medium' },
  high: { id: 4, name: 'High' },
  critical: { id: 5, name: 'Critical' },
};

const COMPLIANCE_STATUS: Record<1 | 2 | 3, string> = { 1: 'Pass', 2: 'Warning', 3: 'Fail' };
const FINDING_STATUS: Record<1 | 2 | 3 | 4, string> = {
  1: 'New',
  2: 'In Progress',
  3: 'Suppressed',
  4: 'Resolved',
};

export function ocsfEvent(result: ControlResult, run: ReportRun): Record<string, unknown> {
  const { control, finding } = result;
  const mapping = STATUS_MAP[finding.status];
  const severity = SEVERITY_ID[mapping.severity === 'informational' ? 'informational' : control.severity];
  const time = Date.parse(run.finishedAt);
  const { complianceStatusId, findingStatusId } = mapping.ocsf;
  return {
    activity_id: ACTIVITY.id,
    activity_name: ACTIVITY.name,
    category_uid: CATEGORY.uid,
    category_name: CATEGORY.name,
    class_uid: CLASS.uid,
    class_name: CLASS.name,
    type_uid: CLASS.uid * 100 + ACTIVITY.id,
    type_name: `${CLASS.name}: ${ACTIVITY.name}`,
    severity_id: severity.id,
    severity: severity.name,
    status_id: findingStatusId,
    status: FINDING_STATUS[findingStatusId],
    time,
    message: finding.reason,
    metadata: {
      version: OCSF_VERSION,
      product: {
        name: run.tool.name,
        vendor_name: run.tool.name,
        version: run.tool.version,
      },
      profiles: ['cloud'],
    },
    finding_info: {
      uid: findingId(control.id, finding.accountId),
      title: `CIS ${control.cisId} ${control.title}`,
      desc: finding.reason,
      types: [`${BENCHMARK.name} ${BENCHMARK.version}`],
      created_time: time,
      last_seen_time: time,
    },
    compliance: {
      standards: [`${BENCHMARK.name} ${BENCHMARK.version}`],
      control: control.cisId,
      status_id: complianceStatusId,
      status: COMPLIANCE_STATUS[complianceStatusId],
      status_detail: finding.reason,
    },
    remediation: { desc: recommendation(result) },
    cloud: {
      provider: 'AWS',
      region: run.region,
      account: {
        uid: finding.accountId,
        ...(finding.label ? { name: finding.label } : {}),
        type_id: 10,
        type: 'AWS Account',
      },
    },
    resources: [
      {
        uid: `AWS::::Account:${finding.accountId}`,
        type: 'AwsAccount',
        ...(finding.label ? { name: finding.label } : {}),
        region: run.region,
      },
    ],
    unmapped: {
      standard: STANDARD_PATH,
      control: control.id,
      ...(finding.brokenLink ? { broken_link: finding.brokenLink } : {}),
      ...(finding.exception ? { exception: finding.exception } : {}),
      links: finding.links.map((l) => ({ link: l.link, status: l.status, detail: l.detail })),
    },
  };
}

export function renderOcsf(run: ReportRun): string {
  return `${JSON.stringify(
    run.results.map((r) => ocsfEvent(r, run)),
    null,
    2,
  )}\n`;
}
