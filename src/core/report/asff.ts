/**
 * AWS Security Finding Format (ASFF), as `--output asff` prints it and the Security Hub export imports
 * it: one finding per (account x control), for the Security Hub of the account and region cis-bot runs in
 * (the hub: the administrator account in an organization). With Security Hub's default product, a
 * finding's AwsAccountId must be the importing account's own, so the audited account is the finding's
 * resource (`AwsAccount`, `AWS::::Account:<id>`, as Security Hub's own CIS controls name it) and a product
 * field. The Id is stable per (control, account) (./finding-id.ts), so every run updates the same finding.
 * Times follow Security Hub's rules: CreatedAt is kept from the stored finding, FirstObservedAt is when the
 * current status was first seen, LastObservedAt and UpdatedAt are this audit, and UpdatedAt always moves
 * forward (an update whose UpdatedAt is not later than the stored one is ignored by Security Hub).
 * AWS publishes no JSON schema: tests check these against the SDK's AwsSecurityFinding model.
 */
import type { AccountStatus } from '../evaluate/findings';
import { findingId, generatorId } from './finding-id';
import { accountLabel, BENCHMARK, type ControlResult, clip, type ReportRun, recommendation } from './results';
import { type AsffComplianceStatus, type AsffWorkflowStatus, STATUS_MAP } from './status-map';

/** The Security Hub findings go to: the account and region cis-bot runs in. */
export interface HubTarget {
  accountId: string;
  region: string;
}

/** What Security Hub already holds of a finding (read before an import to keep its history right). */
export interface PriorFinding {
  createdAt: string;
  updatedAt: string;
  firstObservedAt?: string;
  complianceStatus?: string;
}

export type AsffSeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface AsffFinding {
  SchemaVersion: '2018-10-08';
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt: string;
  LastObservedAt: string;
  Severity: { Label: AsffSeverityLabel };
  Title: string;
  Description: string;
  Remediation: { Recommendation: { Text: string } };
  ProductFields: Record<string, string>;
  Resources: Array<{ Type: string; Id: string; Partition: AwsPartition; Region: string }>;
  Compliance: { Status: AsffComplianceStatus; RelatedRequirements: string[] };
  Workflow?: { Status: AsffWorkflowStatus };
  RecordState: 'ACTIVE';
}

/** ASFF's finding-type taxonomy entry for a CIS benchmark check. */
export const ASFF_TYPE =
  'Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark';

export type AwsPartition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** The AWS partition of a region (ASFF's Resource.Partition values). */
export function partitionOf(region: string): AwsPartition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Security Hub's default product of an account: what a custom integration imports findings as. */
export function defaultProductArn(hub: HubTarget): string {
  return `arn:${partitionOf(hub.region)}:securityhub:${hub.region}:${hub.accountId}:product/${hub.accountId}/default`;
}

function severityOf(result: ControlResult): AsffSeverityLabel {
  const mapping = STATUS_MAP[result.finding.status];
  return mapping.severity === 'informational'
    ? 'INFORMATIONAL'
    : (result.control.severity.toUpperCase() as AsffSeverityLabel);
}

/** One millisecond after `iso`. */
function after(iso: string): string {
  return new Date(Date.parse(iso) + 1).toISOString();
}

/** The finding's times, from this audit and what Security Hub holds. */
export function findingTimes(
  prior: PriorFinding | undefined,
  status: AccountStatus,
  at: string,
): Pick<AsffFinding, 'CreatedAt' | 'UpdatedAt' | 'FirstObservedAt' | 'LastObservedAt'> {
  if (!prior) return { CreatedAt: at, UpdatedAt: at, FirstObservedAt: at, LastObservedAt: at };
  const sameStatus = prior.complianceStatus === STATUS_MAP[status].asff.compliance;
  return {
    CreatedAt: prior.createdAt,
    UpdatedAt: Date.parse(prior.updatedAt) >= Date.parse(at) ? after(prior.updatedAt) : at,
    FirstObservedAt: sameStatus ? (prior.firstObservedAt ?? prior.createdAt) : at,
    LastObservedAt: at,
  };
}

export function asffFinding(
  result: ControlResult,
  run: Pick<ReportRun, 'region' | 'finishedAt'>,
  hub: HubTarget,
  prior?: PriorFinding,
): AsffFinding {
  const { control, finding } = result;
  const partition = partitionOf(hub.region);
  const productFields: Record<string, string> = {
    'cis-bot/Control': control.id,
    'cis-bot/AccountId': finding.accountId,
    'cis-bot/Status': finding.status,
    'cis-bot/AuditRegion': run.region,
  };
  if (finding.label) productFields['cis-bot/AccountLabel'] = clip(finding.label, 2048);
  if (finding.brokenLink) productFields['cis-bot/BrokenLink'] = finding.brokenLink;
  if (finding.exception) {
    productFields['cis-bot/ExceptionId'] = finding.exception.id;
    productFields['cis-bot/AcceptedUntil'] = finding.exception.until;
    productFields['cis-bot/AcceptedBy'] = clip(finding.exception.approvedBy.userId, 2048);
    productFields['cis-bot/AcceptedReason'] = clip(finding.exception.reason, 2048);
  }
  const workflow = STATUS_MAP[finding.status].asff.workflow;
  return {
    SchemaVersion: '2018-10-08',
    Id: findingId(control.id, finding.accountId),
    ProductArn: defaultProductArn(hub),
    GeneratorId: generatorId(control.id),
    AwsAccountId: hub.accountId,
    Types: [ASFF_TYPE],
    ...findingTimes(prior, finding.status, run.finishedAt),
    Severity: { Label: severityOf(result) },
    Title: clip(`CIS ${control.cisId} ${control.title}`, 256),
    Description: clip(`${accountLabel(finding)}: ${finding.reason}`, 1024),
    Remediation: { Recommendation: { Text: clip(recommendation(result), 512) } },
    ProductFields: productFields,
    Resources: [
      {
        Type: 'AwsAccount',
        Id: `AWS::::Account:${finding.accountId}`,
        Partition: partition,
        Region: run.region,
      },
    ],
    Compliance: {
      Status: STATUS_MAP[finding.status].asff.compliance,
      RelatedRequirements: [`${BENCHMARK.name} ${BENCHMARK.version}/${control.cisId}`],
    },
    ...(workflow ? { Workflow: { Status: workflow } } : {}),
    RecordState: 'ACTIVE',
  };
}

/** Every result of the run as a finding for `hub`, each with what Security Hub holds of it. */
export function asffFindings(
  run: ReportRun,
  hub: HubTarget,
  prior: ReadonlyMap<string, PriorFinding> = new Map(),
): AsffFinding[] {
  return run.results.map((r) =>
    asffFinding(r, run, hub, prior.get(findingId(r.control.id, r.finding.accountId))),
  );
}

/** `--output asff`: the BatchImportFindings request shape (`{"Findings": [...]}`). */
export function renderAsff(run: ReportRun, hub: HubTarget): string {
  return `${JSON.stringify({ Findings: asffFindings(run, hub) }, null, 2)}\n`;
}
