import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeAlarmsCommand, DescribeAlarmsForMetricCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { baseScenario, caught, clients, MEMBER, MGMT, RESTRICTED } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ scenario: baseScenario() });
});
afterAll(() => sb.close());

const roleArn = (account: string) => `arn:aws:iam::${account}:role/CisBotAudit`;

async function assume(from: string, account: string, externalId?: string) {
  const { sts } = clients(sb, from);
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArn(account),
      RoleSessionName: 'cis-bot',
      ...(externalId ? { ExternalId: externalId } : {}),
    }),
  );
  const c = out.Credentials;
  return {
    out,
    credentials: {
      accessKeyId: c?.AccessKeyId ?? '',
      secretAccessKey: c?.SecretAccessKey ?? '',
      sessionToken: c?.SessionToken ?? '',
    },
  };
}

describe('STS GetCallerIdentity', () => {
  it('names the account and IAM user behind the base credentials', async () => {
    const { sts } = clients(sb, MEMBER);
    const id = await sts.send(new GetCallerIdentityCommand({}));
    expect(id).toMatchObject({
      Account: MEMBER,
      Arn: `arn:aws:iam::${MEMBER}:user/cis-bot-sandbox`,
      UserId: expect.stringMatching(/^AIDA/),
    });
  });

  it('is reached through AWS_ENDPOINT_URL when the client has no endpoint option', async () => {
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = sb.endpoint;
    try {
      const sts = new STSClient({
        region: 'eu-west-2',
        credentials: sb.credentialsFor(MGMT),
        maxAttempts: 1,
      });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(MGMT);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
  });

  it("rejects unknown access keys with each protocol's invalid-token error", async () => {
    const credentials = { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' };
    const c = clients(sb, MEMBER, { credentials });
    expect((await caught(() => c.sts.send(new GetCallerIdentityCommand({})))).name).toBe(
      'InvalidClientTokenId',
    );
    expect((await caught(() => c.cloudtrail.send(new DescribeTrailsCommand({})))).name).toBe(
      'UnrecognizedClientException',
    );
    expect((await caught(() => c.cloudwatch.send(new DescribeAlarmsCommand({})))).name).toBe(
      'InvalidClientTokenId',
    );
  });
});

describe('STS AssumeRole', () => {
  it('returns credentials of the target account; later calls see that account and its state', async () => {
    const { out, credentials } = await assume(MEMBER, RESTRICTED, 'ext-444');
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    expect(out.Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now());
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${RESTRICTED}:assumed-role/CisBotAudit/cis-bot`);
    const target = clients(sb, RESTRICTED, { credentials });
    const id = await target.sts.send(new GetCallerIdentityCommand({}));
    expect(id).toEqual(
      expect.objectContaining({
        Account: RESTRICTED,
        Arn: `arn:aws:sts::${RESTRICTED}:assumed-role/CisBotAudit/cis-bot`,
        UserId: expect.stringMatching(/^AROA[0-9A-F]+:cis-bot$/),
      }),
    );
    const alarms = await target.cloudwatch.send(new DescribeAlarmsCommand({}));
    expect(alarms.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['restricted-alarm']);
    // The target account's denied actions apply to the role session too.
    const denied = await caught(() =>
      target.cloudwatch.send(new DescribeAlarmsForMetricCommand({ MetricName: 'm', Namespace: 'Other' })),
    );
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toContain(
      `User: arn:aws:sts::${RESTRICTED}:assumed-role/CisBotAudit/cis-bot is not authorized`,
    );
    expect(sb.calls.at(-1)).toMatchObject({
      service: 'monitoring',
      accountId: RESTRICTED,
      region: 'eu-west-2',
      status: 403,
    });
  });

  it("works with the SDK's credential provider function and chains into a third account", async () => {
    const { credentials } = await assume(MEMBER, MGMT, 'ext-mgmt');
    const logs = new CloudWatchLogsClient({
      endpoint: sb.endpoint,
      region: 'us-east-1',
      credentials: async () => credentials,
      maxAttempts: 1,
    });
    const groups = await logs.send(new DescribeLogGroupsCommand({}));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['org-cloudtrail']);
  });

  it('denies a wrong or missing ExternalId, an unknown role, and an untrusted account with 403 AccessDenied', async () => {
    const { sts } = clients(sb, MEMBER);
    const attempts = [
      { RoleArn: roleArn(RESTRICTED), RoleSessionName: 's1', ExternalId: 'wrong' },
      { RoleArn: roleArn(RESTRICTED), RoleSessionName: 's1' },
      { RoleArn: `arn:aws:iam::${RESTRICTED}:role/NoSuchRole`, RoleSessionName: 's1', ExternalId: 'ext-444' },
      { RoleArn: roleArn('123456789012'), RoleSessionName: 's1' },
    ];
    for (const input of attempts) {
      const error = await caught(() => sts.send(new AssumeRoleCommand(input)));
      expect(error.name).toBe('AccessDenied');
      expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403);
      expect(error.message).toBe(
        `User: arn:aws:iam::${MEMBER}:user/cis-bot-sandbox is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
      );
    }
    // RESTRICTED's role trusts only MEMBER.
    const untrusted = await caught(() =>
      clients(sb, MGMT).sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn(RESTRICTED), RoleSessionName: 'ss', ExternalId: 'ext-444' }),
      ),
    );
    expect(untrusted.name).toBe('AccessDenied');
    const badSession = await caught(() =>
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn(MGMT), RoleSessionName: 'has space' })),
    );
    expect(badSession.name).toBe('ValidationError');
  });

  it("answers AccessDenied when the caller's account denies sts:AssumeRole, and rejects a wrong session token", async () => {
    sb.state.accounts.get(MGMT)?.deniedActions.push('sts:AssumeRole');
    const error = await caught(() =>
      clients(sb, MGMT).sts.send(new AssumeRoleCommand({ RoleArn: roleArn(MEMBER), RoleSessionName: 'x' })),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toContain('sts:AssumeRole');
    const { credentials } = await assume(MEMBER, MEMBER);
    const forged = clients(sb, MEMBER, { credentials: { ...credentials, sessionToken: 'forged' } });
    expect((await caught(() => forged.sts.send(new GetCallerIdentityCommand({})))).name).toBe(
      'InvalidClientTokenId',
    );
  });
});
