/**
 * ASFF findings checked against the AWS SDK's AwsSecurityFinding model (./asff-model.ts: required
 * members, member types, no member the model lacks, enum values), and against the sandbox's reading of
 * AWS's documented ASFF rules (lengths, formats, taxonomy), the check BatchImportFindings applies.
 */
import {
  asffFinding,
  asffFindings,
  defaultProductArn,
  findingTimes,
  renderAsff,
} from '../../src/core/report/asff';
import { findingId } from '../../src/core/report/finding-id';
import { asffProblem } from '../../src/sandbox/services/securityhub-findings';
import { asffModelProblems, asffRequiredMembers } from './asff-model';
import { sampleRun } from './runs';

const HUB = { accountId: '999900000001', region: 'eu-west-2' };

describe('ASFF findings', () => {
  const run = sampleRun();
  const findings = asffFindings(run, HUB);

  it('the model check reads the SDK: its required members, and it refuses what breaks the model', () => {
    expect(asffRequiredMembers()).toEqual([
      'SchemaVersion',
      'Id',
      'ProductArn',
      'GeneratorId',
      'AwsAccountId',
      'CreatedAt',
      'UpdatedAt',
      'Title',
      'Description',
      'Resources',
    ]);
    const f = findings[0] as unknown as Record<string, unknown>;
    expect(asffModelProblems({ ...f, Title: undefined })).toEqual(['finding.Title: required by the model']);
    expect(asffModelProblems({ ...f, Typos: [] })).toEqual([
      'finding.Typos: not a member of the model (the SDK would drop it)',
    ]);
    expect(asffModelProblems({ ...f, Compliance: { Status: 'COMPLIANT' } })).toEqual([
      'finding.Compliance.Status: "COMPLIANT" is not one of FAILED, NOT_AVAILABLE, PASSED, WARNING',
    ]);
    expect(asffModelProblems({ ...f, Resources: [{ Type: 'AwsAccount', Id: 1 }] })).toEqual([
      'finding.Resources[0].Id: expected a string',
    ]);
  });

  it('every finding conforms to the SDK model and to the documented ASFF rules', () => {
    expect(findings).toHaveLength(run.results.length);
    for (const f of findings) {
      expect(asffModelProblems(f)).toEqual([]);
      expect(asffProblem(f as unknown as Record<string, unknown>)).toBeUndefined();
    }
    const parsed = JSON.parse(renderAsff(run, HUB)) as { Findings: unknown[] };
    expect(parsed.Findings).toEqual(JSON.parse(JSON.stringify(findings)));
  });

  it('is for the hub (its default product and account), about the audited account as the resource', () => {
    const [f] = findings;
    expect(f).toMatchObject({
      Id: findingId('4.1', '111111111111'),
      ProductArn: `arn:aws:securityhub:eu-west-2:${HUB.accountId}:product/${HUB.accountId}/default`,
      AwsAccountId: HUB.accountId,
      Resources: [{ Type: 'AwsAccount', Id: 'AWS::::Account:111111111111', Partition: 'aws' }],
      Compliance: { Status: 'PASSED' },
      Severity: { Label: 'INFORMATIONAL' },
    });
    expect(findings.map((x) => x.Compliance.Status)).toContain('NOT_AVAILABLE');
    expect(findings.find((x) => x.Compliance.Status === 'FAILED')?.Severity.Label).toBe('HIGH');
    expect(defaultProductArn({ accountId: '123456789012', region: 'cn-north-1' })).toBe(
      'arn:aws-cn:securityhub:cn-north-1:123456789012:product/123456789012/default',
    );
  });

  it('cuts texts to ASFF limits', () => {
    const [result] = run.results;
    if (!result) throw new Error('no result');
    const long = { ...result, finding: { ...result.finding, reason: 'x'.repeat(5000) } };
    const f = asffFinding(long, run, HUB);
    expect(f.Description).toHaveLength(1024);
    expect(asffProblem(f as unknown as Record<string, unknown>)).toBeUndefined();
  });

  it('keeps CreatedAt, moves FirstObservedAt only when the status changes, and UpdatedAt always forward', () => {
    const at = '2026-12-05T10:00:00.000Z';
    expect(findingTimes(undefined, 'NON_COMPLIANT', at)).toEqual({
      CreatedAt: at,
      UpdatedAt: at,
      FirstObservedAt: at,
      LastObservedAt: at,
    });
    const prior = {
      createdAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2026-12-04T00:00:00.000Z',
      firstObservedAt: '2026-12-02T00:00:00.000Z',
      complianceStatus: 'FAILED',
    };
    expect(findingTimes(prior, 'NON_COMPLIANT', at)).toEqual({
      CreatedAt: prior.createdAt,
      UpdatedAt: at,
      FirstObservedAt: prior.firstObservedAt,
      LastObservedAt: at,
    });
    expect(findingTimes(prior, 'COMPLIANT', at).FirstObservedAt).toBe(at);
    // A stored UpdatedAt at or after this audit (clock skew, two runs in one millisecond): one ms later.
    expect(findingTimes({ ...prior, updatedAt: at }, 'NON_COMPLIANT', at).UpdatedAt).toBe(
      '2026-12-05T10:00:00.001Z',
    );
  });
});
