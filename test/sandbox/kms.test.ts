import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  ListAliasesCommand,
  NotFoundException,
  paginateListAliases,
} from '@aws-sdk/client-kms';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { accountIn, allowPolicy, caught, clients, MEMBER, MGMT, RESTRICTED } from './helpers';

const REGION = 'eu-west-2';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const customPolicy = allowPolicy({ AWS: `arn:aws:iam::${MEMBER}:root` }, 'kms:*', '*');
customPolicy.Statement.push({
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${MGMT}:root` },
  Action: 'kms:DescribeKey',
  Resource: '*',
});

function scenario(): Scenario {
  return {
    accounts: [
      accountIn(MEMBER, REGION, {
        kms_keys: [
          {
            id: KEY_ID,
            aliases: ['alias/cis-alarms', 'alias/other'],
            description: 'CIS',
            policy: customPolicy,
          },
          { aliases: ['alias/off'], enabled: false },
        ],
      }),
      { id: MGMT },
      { id: RESTRICTED, denied_actions: ['kms:GetKeyPolicy'] },
    ],
  };
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario() });
});
afterAll(() => sb.close());

const keyArn = `arn:aws:kms:${REGION}:${MEMBER}:key/${KEY_ID}`;

describe('KMS', () => {
  it('describes a key by id, key ARN, alias name and alias ARN', async () => {
    const { kms } = clients(sb, MEMBER);
    for (const KeyId of [KEY_ID, keyArn, 'alias/cis-alarms', `arn:aws:kms:${REGION}:${MEMBER}:alias/other`]) {
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId }));
      expect(KeyMetadata).toMatchObject({
        KeyId: KEY_ID,
        Arn: keyArn,
        AWSAccountId: MEMBER,
        KeyManager: 'CUSTOMER',
        KeyState: 'Enabled',
        Enabled: true,
        Description: 'CIS',
        CreationDate: expect.any(Date),
      });
    }
    const off = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/off' }));
    expect(off.KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
  });

  it('has the AWS-managed alias/aws/sns in every account and region, whose policy does not allow CloudWatch', async () => {
    for (const [account, region] of [
      [MEMBER, REGION],
      [MGMT, 'us-east-1'],
    ] as const) {
      const { kms } = clients(sb, account, { region });
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/sns' }));
      expect(KeyMetadata).toMatchObject({
        KeyManager: 'AWS',
        AWSAccountId: account,
        Arn: expect.stringContaining(`:${region}:`),
      });
      const { Policy, PolicyName } = await kms.send(new GetKeyPolicyCommand({ KeyId: KeyMetadata?.KeyId }));
      expect(PolicyName).toBe('default');
      const policy = JSON.parse(Policy ?? '{}');
      expect(policy.Statement[0].Condition.StringEquals).toEqual({
        'kms:CallerAccount': account,
        'kms:ViaService': `sns.${region}.amazonaws.com`,
      });
      expect(Policy).not.toContain('cloudwatch.amazonaws.com');
    }
  });

  it('returns a customer key policy and lists aliases page by page', async () => {
    const { kms } = clients(sb, MEMBER);
    const { Policy } = await kms.send(new GetKeyPolicyCommand({ KeyId: 'alias/cis-alarms' }));
    expect(JSON.parse(Policy ?? '{}')).toEqual(customPolicy);
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListAliases({ client: kms, pageSize: 1 }, {})) {
      pages++;
      names.push(...(page.Aliases ?? []).map((a) => a.AliasName ?? ''));
    }
    expect(names).toEqual(['alias/aws/sns', 'alias/cis-alarms', 'alias/off', 'alias/other']);
    expect(pages).toBe(4);
    const forKey = await kms.send(new ListAliasesCommand({ KeyId: KEY_ID }));
    expect(forKey.Aliases?.map((a) => [a.AliasName, a.TargetKeyId, a.AliasArn])).toEqual([
      ['alias/cis-alarms', KEY_ID, `arn:aws:kms:${REGION}:${MEMBER}:alias/cis-alarms`],
      ['alias/other', KEY_ID, `arn:aws:kms:${REGION}:${MEMBER}:alias/other`],
    ]);
    expect(forKey.Truncated).toBe(false);
  });

  it('answers NotFoundException for unknown keys and aliases', async () => {
    const { kms } = clients(sb, MEMBER);
    expect(await caught(() => kms.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })))).toBeInstanceOf(
      NotFoundException,
    );
    const key = await caught(() =>
      kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-0000-0000-000000000000' })),
    );
    expect(key).toBeInstanceOf(NotFoundException);
    expect(key.message).toContain('does not exist');
  });

  it('reaches another account’s key only where its policy allows, and never its policy', async () => {
    const { kms } = clients(sb, MGMT);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata?.KeyId).toBe(KEY_ID);
    const policy = await caught(() => kms.send(new GetKeyPolicyCommand({ KeyId: keyArn })));
    expect(policy.name).toBe('AccessDeniedException');
    const other = await caught(() =>
      clients(sb, RESTRICTED).kms.send(new DescribeKeyCommand({ KeyId: keyArn })),
    );
    expect(other.name).toBe('AccessDeniedException');
  });

  it('answers AccessDeniedException for an account denied kms:GetKeyPolicy, and for an injected fault', async () => {
    const restricted = clients(sb, RESTRICTED).kms;
    const denied = await caught(() => restricted.send(new GetKeyPolicyCommand({ KeyId: 'alias/aws/sns' })));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain('kms:GetKeyPolicy');
    sb.failNext('kms:GetKeyPolicy', 'AccessDeniedException');
    const injected = await caught(() =>
      clients(sb, MEMBER).kms.send(new GetKeyPolicyCommand({ KeyId: KEY_ID })),
    );
    expect(injected.name).toBe('AccessDeniedException');
    expect(
      (await clients(sb, MEMBER).kms.send(new GetKeyPolicyCommand({ KeyId: KEY_ID }))).Policy,
    ).toBeDefined();
  });
});
