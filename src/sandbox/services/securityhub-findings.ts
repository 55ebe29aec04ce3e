/**
 * Security Hub findings: BatchImportFindings' checks (1 to 100 findings per call; each finding against
 * the ASFF's required members and value rules, failing alone with InvalidInput as AWS reports it; every
 * finding must be the caller's, for the caller's default product in the call's region, else the whole
 * call is AccessDenied, as AWS answers) and its upsert by ProductArn + Id with Security Hub's workflow
 * rules (a finding turning PASSED is RESOLVED; one failing again after RESOLVED is NEW). GetFindings
 * filters the stored findings with the common string filters and pages them.
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import { type CallContext, paginate } from '../service';
import type { SecurityHubState } from '../state';

type Finding = Record<string, unknown>;

const SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const TYPE_NAMESPACES = [
  'Software and Configuration Checks',
  'TTPs',
  'Effects',
  'Unusual Behaviors',
  'Sensitive Data Identifications',
];
const COMPLIANCE = ['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'];
const WORKFLOW = ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'];
const RECORD_STATES = ['ACTIVE', 'ARCHIVED'];

const isText = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= max;
const isTimestamp = (v: unknown) =>
  typeof v === 'string' &&
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(v) &&
  !Number.isNaN(Date.parse(v));

/** The first ASFF rule a finding breaks, in AWS's wording ("data.<member> ..."), or undefined. */
export function asffProblem(f: Finding): string | undefined {
  const texts: [string, number][] = [
    ['Id', 512],
    ['ProductArn', 2048],
    ['GeneratorId', 512],
    ['Title', 256],
    ['Description', 1024],
  ];
  for (const [member, max] of texts) {
    if (f[member] === undefined) return `data should have required property '${member}'`;
    if (!isText(f[member], max)) return `data.${member} should be a string of 1 to ${max} characters`;
  }
  if (f.SchemaVersion !== '2018-10-08') return "data.SchemaVersion should be equal to '2018-10-08'";
  if (typeof f.AwsAccountId !== 'string' || !/^\d{12}$/.test(f.AwsAccountId))
    return 'data.AwsAccountId should be a 12-digit account id';
  for (const member of ['CreatedAt', 'UpdatedAt'])
    if (!isTimestamp(f[member])) return `data.${member} should be an ISO 8601 timestamp`;
  const resources = f.Resources;
  if (!Array.isArray(resources) || resources.length < 1 || resources.length > 32)
    return 'data.Resources should have 1 to 32 items';
  for (const [i, r] of resources.entries()) {
    const res = r as Record<string, unknown>;
    if (!isText(res?.Type, 256) || !isText(res?.Id, 512))
      return `data.Resources[${i}] should have required properties 'Type' and 'Id'`;
  }
  const severity = f.Severity as Record<string, unknown> | undefined;
  if (!severity) return "data should have required property 'Severity'";
  const label = severity.Label;
  const normalized = severity.Normalized;
  if (label === undefined && normalized === undefined)
    return "data.Severity should have required property 'Label'";
  if (label !== undefined && !SEVERITY_LABELS.includes(String(label)))
    return 'data.Severity.Label should be equal to one of the allowed values';
  if (normalized !== undefined && !(typeof normalized === 'number' && normalized >= 0 && normalized <= 100))
    return 'data.Severity.Normalized should be between 0 and 100';
  const types = f.Types;
  if (!Array.isArray(types) || types.length < 1 || types.length > 50)
    return 'data.Types should have 1 to 50 items';
  if (!types.every((t) => typeof t === 'string' && TYPE_NAMESPACES.includes(t.split('/')[0] ?? '')))
    return `data.Types should be namespace/category/classifier with a namespace of ${TYPE_NAMESPACES.join(' | ')}`;
  const compliance = (f.Compliance as Record<string, unknown> | undefined)?.Status;
  if (compliance !== undefined && !COMPLIANCE.includes(String(compliance)))
    return 'data.Compliance.Status should be equal to one of the allowed values';
  const workflow = (f.Workflow as Record<string, unknown> | undefined)?.Status;
  if (workflow !== undefined && !WORKFLOW.includes(String(workflow)))
    return 'data.Workflow.Status should be equal to one of the allowed values';
  if (f.RecordState !== undefined && !RECORD_STATES.includes(String(f.RecordState)))
    return 'data.RecordState should be equal to one of the allowed values';
  return undefined;
}

export function defaultProductArn(region: string, account: string): string {
  return `arn:aws:securityhub:${region}:${account}:product/${account}/default`;
}

/** Security Hub's workflow status after an import: PASSED resolves, failing again after RESOLVED reopens. */
function workflowAfter(previous: Finding | undefined, incoming: Finding): string {
  const before =
    ((previous?.Workflow as Record<string, unknown> | undefined)?.Status as string | undefined) ?? undefined;
  const status = (incoming.Compliance as Record<string, unknown> | undefined)?.Status;
  if (before === undefined)
    return status === 'PASSED'
      ? 'RESOLVED'
      : ((incoming.Workflow as Record<string, string> | undefined)?.Status ?? 'NEW');
  if (status === 'PASSED' && (before === 'NEW' || before === 'NOTIFIED')) return 'RESOLVED';
  if (status !== undefined && status !== 'PASSED' && before === 'RESOLVED') return 'NEW';
  return before;
}

export function importFindings(ctx: CallContext, hub: SecurityHubState, input: Input) {
  const raw = input.list('Findings');
  if (!raw) throw new ApiError('InvalidInputException', 'Findings is required.');
  if (raw.length < 1 || raw.length > 100)
    throw new ApiError(
      'InvalidInputException',
      `1 validation error detected: Value at 'findings' failed to satisfy constraint: Member must have length between 1 and 100, inclusive (got ${raw.length})`,
    );
  const own = defaultProductArn(ctx.region, ctx.caller.accountId);
  for (const f of raw as Finding[]) {
    const product = f?.ProductArn;
    if (
      (typeof product === 'string' && product !== own) ||
      (typeof f?.AwsAccountId === 'string' && f.AwsAccountId !== ctx.caller.accountId)
    )
      throw new ApiError(
        'AccessDeniedException',
        `User: ${ctx.caller.arn} is not authorized to perform: securityhub:BatchImportFindings on resource: ${String(product)}`,
        403,
      );
  }
  const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
  const now = new Date().toISOString();
  for (const f of raw as Finding[]) {
    const fault = hub.importFaults?.find((x) => x.times > 0 && String(f?.Id ?? '').startsWith(x.idPrefix));
    if (fault) {
      fault.times -= 1;
      failed.push({
        Id: String(f.Id),
        ErrorCode: fault.errorCode,
        ErrorMessage: `Injected ${fault.errorCode}`,
      });
      continue;
    }
    const problem = asffProblem(f);
    if (problem) {
      failed.push({
        Id: String(f?.Id ?? ''),
        ErrorCode: 'InvalidInput',
        ErrorMessage: `Finding does not adhere to Amazon Finding Format. ${problem}`,
      });
      continue;
    }
    const key = `${f.ProductArn}|${f.Id}`;
    const previous = hub.findings.get(key);
    hub.findings.set(key, {
      ...f,
      ProductName: 'Default',
      CompanyName: 'Personal',
      Region: ctx.region,
      RecordState: f.RecordState ?? 'ACTIVE',
      // BatchImportFindings may not change these after creation: Security Hub keeps the stored ones.
      Note: previous ? previous.Note : f.Note,
      UserDefinedFields: previous ? previous.UserDefinedFields : f.UserDefinedFields,
      VerificationState: previous ? previous.VerificationState : f.VerificationState,
      Workflow: { Status: workflowAfter(previous, f) },
      WorkflowState: 'NEW',
      FindingProviderFields: { Severity: f.Severity, Types: f.Types },
      CreatedAt: previous?.CreatedAt ?? f.CreatedAt,
      ProcessedAt: now,
    });
  }
  return { FailedCount: failed.length, SuccessCount: raw.length - failed.length, FailedFindings: failed };
}

/** The finding member each supported GetFindings filter reads. */
const FILTER_PATHS: Record<string, string[]> = {
  Id: ['Id'],
  ProductArn: ['ProductArn'],
  AwsAccountId: ['AwsAccountId'],
  GeneratorId: ['GeneratorId'],
  Title: ['Title'],
  RecordState: ['RecordState'],
  ComplianceStatus: ['Compliance', 'Status'],
  WorkflowStatus: ['Workflow', 'Status'],
  SeverityLabel: ['Severity', 'Label'],
  Region: ['Region'],
};

function valueAt(f: Finding, path: string[]): string | undefined {
  let v: unknown = f;
  for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p];
  return v === undefined ? undefined : String(v);
}

function stringMatch(comparison: string, want: string, have: string | undefined): boolean {
  const h = have ?? '';
  switch (comparison) {
    case 'EQUALS':
      return h === want;
    case 'NOT_EQUALS':
      return h !== want;
    case 'PREFIX':
      return h.startsWith(want);
    case 'PREFIX_NOT_EQUALS':
      return !h.startsWith(want);
    case 'CONTAINS':
      return h.includes(want);
    case 'NOT_CONTAINS':
      return !h.includes(want);
    default:
      throw new ApiError('InvalidInputException', `Invalid comparison ${comparison}`);
  }
}

export function getFindings(_ctx: CallContext, hub: SecurityHubState, input: Input) {
  const filters = (input.raw.Filters ?? {}) as Record<string, { Value?: string; Comparison?: string }[]>;
  const checks = Object.entries(filters).map(([name, list]) => {
    const path = FILTER_PATHS[name];
    if (!path)
      throw new ApiError(
        'InvalidInputException',
        `The sandbox does not support the filter ${name}; supported: ${Object.keys(FILTER_PATHS).join(', ')}`,
      );
    return (f: Finding) => {
      const positive = list.filter((c) => !/^(NOT_|PREFIX_NOT)/.test(c.Comparison ?? 'EQUALS'));
      const negative = list.filter((c) => /^(NOT_|PREFIX_NOT)/.test(c.Comparison ?? 'EQUALS'));
      const have = valueAt(f, path);
      // Security Hub ORs the positive values of one filter and ANDs the negative ones.
      return (
        (positive.length === 0 ||
          positive.some((c) => stringMatch(c.Comparison ?? 'EQUALS', c.Value ?? '', have))) &&
        negative.every((c) => stringMatch(c.Comparison ?? 'EQUALS', c.Value ?? '', have))
      );
    };
  });
  const max = input.num('MaxResults') ?? 100;
  if (max < 1 || max > 100)
    throw new ApiError('InvalidInputException', 'MaxResults must be between 1 and 100.');
  const list = [...hub.findings.entries()]
    .filter(([, f]) => checks.every((c) => c(f)))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const { page, nextToken } = paginate(
    list,
    ([k]) => k,
    input.str('NextToken'),
    max,
    () => new ApiError('InvalidInputException', 'The NextToken is not valid.'),
  );
  return { Findings: page.map(([, f]) => f), NextToken: nextToken };
}
