import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  DescribeHubCommand,
  DisableSecurityHubCommand,
  EnableSecurityHubCommand,
  GetEnabledStandardsCommand,
  GetFindingsCommand,
  InvalidAccessException,
  InvalidInputException,
  paginateGetFindings,
  ResourceConflictException,
} from '@aws-sdk/client-securityhub';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { caught, clients, MEMBER, MGMT } from './helpers';

const REGION = 'eu-west-2';
const PRODUCT = `arn:aws:securityhub:${REGION}:${MEMBER}:product/${MEMBER}/default`;

function scenario(): Scenario {
  return {
    accounts: [
      {
        id: MEMBER,
        regions: { [REGION]: { security_hub: { standards: ['cis-aws-foundations-benchmark/v/1.4.0'] } } },
      },
      { id: MGMT },
    ],
  };
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario() });
});
afterAll(() => sb.close());

function finding(id: string, over: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  const now = new Date().toISOString();
  return {
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: PRODUCT,
    GeneratorId: 'cis-bot/4.1',
    AwsAccountId: MEMBER,
    Types: [
      'Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark',
    ],
    CreatedAt: now,
    UpdatedAt: now,
    Severity: { Label: 'HIGH' },
    Title: 'CIS 4.1: unauthorized API calls are not monitored',
    Description: 'The metric filter misses *UnauthorizedOperation.',
    Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${MEMBER}` }],
    Compliance: { Status: 'FAILED' },
    ...over,
  };
}

const hub = () => clients(sb, MEMBER).securityhub;

describe('Security Hub', () => {
  it('describes an enabled hub and its standards', async () => {
    const described = await hub().send(new DescribeHubCommand({}));
    expect(described).toMatchObject({
      HubArn: `arn:aws:securityhub:${REGION}:${MEMBER}:hub/default`,
      AutoEnableControls: true,
      ControlFindingGenerator: 'SECURITY_CONTROL',
    });
    expect(Date.parse(described.SubscribedAt ?? '')).not.toBeNaN();
    const { StandardsSubscriptions } = await hub().send(new GetEnabledStandardsCommand({}));
    expect(StandardsSubscriptions).toEqual([
      expect.objectContaining({
        StandardsArn: `arn:aws:securityhub:${REGION}::standards/cis-aws-foundations-benchmark/v/1.4.0`,
        StandardsSubscriptionArn: `arn:aws:securityhub:${REGION}:${MEMBER}:subscription/cis-aws-foundations-benchmark/v/1.4.0`,
        StandardsStatus: 'READY',
      }),
    ]);
  });

  it('answers InvalidAccessException (401) while the hub is off, and enables it with the default standards', async () => {
    const other = clients(sb, MGMT).securityhub;
    const off = await caught(() => other.send(new DescribeHubCommand({})));
    expect(off).toBeInstanceOf(InvalidAccessException);
    expect(off.message).toBe(`Account ${MGMT} is not subscribed to AWS Security Hub`);
    expect((off.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(401);
    await other.send(new EnableSecurityHubCommand({}));
    const standards = await other.send(new GetEnabledStandardsCommand({}));
    expect(standards.StandardsSubscriptions?.map((s) => s.StandardsArn).sort()).toEqual([
      'arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0',
      `arn:aws:securityhub:${REGION}::standards/aws-foundational-security-best-practices/v/1.0.0`,
    ]);
    expect(await caught(() => other.send(new EnableSecurityHubCommand({})))).toBeInstanceOf(
      ResourceConflictException,
    );
    await other.send(new DisableSecurityHubCommand({}));
    expect(await caught(() => other.send(new GetFindingsCommand({})))).toBeInstanceOf(InvalidAccessException);
  });

  it('imports findings, failing the invalid ones alone', async () => {
    const out = await hub().send(
      new BatchImportFindingsCommand({
        Findings: [
          finding('acct/4.1'),
          finding('no-severity', { Severity: undefined }),
          finding('bad-types', { Types: ['Made up/x/y'] }),
          finding('bad-time', { CreatedAt: 'yesterday' }),
          finding('no-resources', { Resources: [] }),
        ],
      }),
    );
    expect(out).toMatchObject({ SuccessCount: 1, FailedCount: 4 });
    expect(out.FailedFindings?.map((f) => [f.Id, f.ErrorCode])).toEqual([
      ['no-severity', 'InvalidInput'],
      ['bad-types', 'InvalidInput'],
      ['bad-time', 'InvalidInput'],
      ['no-resources', 'InvalidInput'],
    ]);
    expect(out.FailedFindings?.[0]?.ErrorMessage).toMatch(
      /^Finding does not adhere to Amazon Finding Format\. data/,
    );
  });

  it('updates the same finding on a later run, resolving it once it passes and reopening it when it fails again', async () => {
    const id = 'acct/4.3';
    const status = async () => {
      const { Findings } = await hub().send(
        new GetFindingsCommand({ Filters: { Id: [{ Value: id, Comparison: 'EQUALS' }] } }),
      );
      expect(Findings).toHaveLength(1);
      return [Findings?.[0]?.Compliance?.Status, Findings?.[0]?.Workflow?.Status, Findings?.[0]?.Title];
    };
    await hub().send(new BatchImportFindingsCommand({ Findings: [finding(id)] }));
    expect(await status()).toEqual(['FAILED', 'NEW', finding(id).Title]);
    await hub().send(
      new BatchImportFindingsCommand({
        Findings: [finding(id, { Compliance: { Status: 'PASSED' }, Title: 'fixed' })],
      }),
    );
    expect(await status()).toEqual(['PASSED', 'RESOLVED', 'fixed']);
    await hub().send(new BatchImportFindingsCommand({ Findings: [finding(id)] }));
    expect(await status()).toEqual(['FAILED', 'NEW', finding(id).Title]);
  });

  it('enforces the limit of 100 findings per call, and imports 100', async () => {
    const many = Array.from({ length: 101 }, (_, i) => finding(`bulk/${String(i).padStart(3, '0')}`));
    expect(await caught(() => hub().send(new BatchImportFindingsCommand({ Findings: many })))).toBeInstanceOf(
      InvalidInputException,
    );
    const out = await hub().send(new BatchImportFindingsCommand({ Findings: many.slice(0, 100) }));
    expect(out.SuccessCount).toBe(100);
    const ids: string[] = [];
    for await (const page of paginateGetFindings(
      { client: hub(), pageSize: 40 },
      { Filters: { Id: [{ Value: 'bulk/', Comparison: 'PREFIX' }] } },
    ))
      ids.push(...(page.Findings ?? []).map((f) => f.Id ?? ''));
    expect(ids).toHaveLength(100);
  });

  it('refuses findings of another account or product for the whole call, as AWS does', async () => {
    const foreign = await caught(() =>
      hub().send(new BatchImportFindingsCommand({ Findings: [finding('x', { AwsAccountId: MGMT })] })),
    );
    expect(foreign.name).toBe('AccessDeniedException');
    expect((foreign.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403);
    const product = await caught(() =>
      hub().send(
        new BatchImportFindingsCommand({
          Findings: [finding('y', { ProductArn: `arn:aws:securityhub:${REGION}::product/prowler/prowler` })],
        }),
      ),
    );
    expect(product.message).toContain('securityhub:BatchImportFindings');
  });

  it('filters findings and refuses filters the sandbox does not know', async () => {
    const failed = await hub().send(
      new GetFindingsCommand({
        Filters: {
          ComplianceStatus: [{ Value: 'FAILED', Comparison: 'EQUALS' }],
          Id: [{ Value: 'bulk/', Comparison: 'PREFIX_NOT_EQUALS' }],
        },
      }),
    );
    expect(failed.Findings?.map((f) => f.Id).sort()).toEqual(['acct/4.1', 'acct/4.3']);
    const unknown = await caught(() =>
      hub().send(
        new GetFindingsCommand({
          Filters: { ResourceTags: [{ Key: 'a', Value: 'b', Comparison: 'EQUALS' }] },
        }),
      ),
    );
    expect(unknown).toBeInstanceOf(InvalidInputException);
  });
});
