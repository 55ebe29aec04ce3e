/**
 * A validator of ASFF findings against the AWS SDK's own model of `AwsSecurityFinding`, since AWS
 * publishes no JSON schema for ASFF: the Smithy schema compiled into @aws-sdk/client-securityhub
 * (dist-cjs, read through @smithy/core's NormalizedSchema) gives every member, its type (structure,
 * list, map, string, number, boolean) and, per structure, which members are required (a Smithy static
 * structure schema lists its required members first and ends with their count: BatchImportFindings'
 * response, whose FailedCount and SuccessCount are required, reads [..., 2]). String enums are not in the
 * compiled schema; they come from the SDK's exported enum objects, one per member that takes one.
 */
import {
  AwsSecurityFinding$,
  ComplianceStatus,
  Partition,
  RecordState,
  SeverityLabel,
  WorkflowStatus,
} from '@aws-sdk/client-securityhub';
import { NormalizedSchema } from '@smithy/core/schema';

/** The members whose value is one of an SDK enum's values (path with [] for list items). */
const ENUMS: Record<string, readonly string[]> = {
  'Compliance.Status': Object.values(ComplianceStatus),
  'Severity.Label': Object.values(SeverityLabel),
  RecordState: Object.values(RecordState),
  'Workflow.Status': Object.values(WorkflowStatus),
  'Resources[].Partition': Object.values(Partition),
};

function requiredMembers(schema: NormalizedSchema): string[] {
  const raw = schema.getSchema() as unknown as [
    number,
    string,
    string,
    unknown,
    string[],
    unknown[],
    number?,
  ];
  return raw[4].slice(0, raw[6] ?? 0);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function check(schema: NormalizedSchema, value: unknown, path: string, shape: string, out: string[]): void {
  if (schema.isStructSchema()) {
    if (!isPlainObject(value)) return void out.push(`${path}: expected a structure`);
    const members = schema.getMemberSchemas();
    for (const name of requiredMembers(schema))
      if (value[name] === undefined) out.push(`${path}.${name}: required by the model`);
    for (const [name, v] of Object.entries(value)) {
      if (v === undefined) continue; // not serialized
      const member = members[name];
      if (!member) out.push(`${path}.${name}: not a member of the model (the SDK would drop it)`);
      else check(member, v, `${path}.${name}`, shape ? `${shape}.${name}` : name, out);
    }
    return;
  }
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) return void out.push(`${path}: expected a list`);
    for (const [i, v] of value.entries())
      check(schema.getValueSchema(), v, `${path}[${i}]`, `${shape}[]`, out);
    return;
  }
  if (schema.isMapSchema()) {
    if (!isPlainObject(value)) return void out.push(`${path}: expected a map`);
    for (const [k, v] of Object.entries(value))
      check(schema.getValueSchema(), v, `${path}.${k}`, `${shape}{}`, out);
    return;
  }
  if (schema.isStringSchema()) {
    if (typeof value !== 'string') return void out.push(`${path}: expected a string`);
    const allowed = ENUMS[shape];
    if (allowed && !allowed.includes(value))
      out.push(`${path}: "${value}" is not one of ${allowed.join(', ')}`);
    return;
  }
  if (schema.isNumericSchema()) {
    if (typeof value !== 'number' || !Number.isFinite(value)) out.push(`${path}: expected a number`);
    return;
  }
  if (schema.isBooleanSchema()) {
    if (typeof value !== 'boolean') out.push(`${path}: expected a boolean`);
    return;
  }
  out.push(`${path}: a member type this validator does not know`);
}

/** Every way `finding` departs from the SDK's AwsSecurityFinding model (empty: it conforms). */
export function asffModelProblems(finding: unknown): string[] {
  const out: string[] = [];
  check(NormalizedSchema.of(AwsSecurityFinding$), finding, 'finding', '', out);
  return out;
}

/** The model's required top-level members, as the SDK declares them. */
export function asffRequiredMembers(): string[] {
  return requiredMembers(NormalizedSchema.of(AwsSecurityFinding$));
}
