import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  AccessDeniedException,
  AccountNotFoundException,
  AWSOrganizationsNotInUseException,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  InvalidInputException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  ParentNotFoundException,
  paginateListAccounts,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { caught, clients, MEMBER, MGMT, RESTRICTED } from './helpers';

const DELEGATE = '555566667777';
const OUTSIDER = '888877776666';

function scenario(): Scenario {
  return {
    organization: {
      management_account: MGMT,
      members: [MEMBER, RESTRICTED, DELEGATE],
      delegated_administrators: [DELEGATE],
      suspended: [RESTRICTED],
      organizational_units: [
        { name: 'Production', accounts: [MEMBER], children: [{ name: 'Payments', accounts: [RESTRICTED] }] },
        { name: 'Security', accounts: [DELEGATE] },
      ],
    },
    accounts: [
      {
        id: MGMT,
        label: 'management',
        regions: { 'us-east-1': { trails: [{ name: 'org-trail', organization: true }] } },
      },
      { id: MEMBER, label: 'prod' },
      { id: RESTRICTED },
      { id: DELEGATE, label: 'security' },
      { id: OUTSIDER },
    ],
  };
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario() });
});
afterAll(() => sb.close());

const orgs = (account: string) => clients(sb, account, { region: 'us-east-1' }).organizations;

async function ou(name: string, parentId: string) {
  const out = await orgs(MGMT).send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId }));
  return out.OrganizationalUnits?.find((o) => o.Name === name);
}

async function rootId() {
  return (await orgs(MGMT).send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
}

describe('Organizations', () => {
  it('describes the organization to any of its accounts, and to no one else', async () => {
    const { Organization } = await orgs(MEMBER).send(new DescribeOrganizationCommand({}));
    expect(Organization).toMatchObject({
      Id: expect.stringMatching(/^o-[a-z0-9]{10}$/),
      FeatureSet: 'ALL',
      MasterAccountId: MGMT,
      Arn: expect.stringMatching(new RegExp(`^arn:aws:organizations::${MGMT}:organization/o-`)),
    });
    const outsider = await caught(() => orgs(OUTSIDER).send(new DescribeOrganizationCommand({})));
    expect(outsider).toBeInstanceOf(AWSOrganizationsNotInUseException);
    expect(outsider.message).toBe('Your account is not a member of an organization.');
    expect((outsider.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
  });

  it('lists the structure to the management account and a delegated administrator, not to members', async () => {
    for (const caller of [MGMT, DELEGATE]) {
      const { Accounts } = await orgs(caller).send(new ListAccountsCommand({}));
      expect(Accounts?.map((a) => a.Id)).toEqual([MEMBER, RESTRICTED, DELEGATE, MGMT].sort());
    }
    const denied = await caught(() => orgs(MEMBER).send(new ListAccountsCommand({})));
    expect(denied).toBeInstanceOf(AccessDeniedException);
  });

  it('names accounts by label with their status, and walks roots, OUs and children', async () => {
    const { Account } = await orgs(MGMT).send(new DescribeAccountCommand({ AccountId: RESTRICTED }));
    expect(Account).toMatchObject({
      Id: RESTRICTED,
      Status: 'SUSPENDED',
      Name: `Account ${RESTRICTED}`,
      JoinedTimestamp: expect.any(Date),
    });
    const { Roots } = await orgs(MGMT).send(new ListRootsCommand({}));
    expect(Roots).toEqual([
      expect.objectContaining({ Id: expect.stringMatching(/^r-[0-9a-z]{4}$/), Name: 'Root' }),
    ]);
    const root = await rootId();
    const production = await ou('Production', root);
    expect(production?.Id).toMatch(new RegExp(`^ou-${root.slice(2)}-[a-z0-9]{8}$`));
    const payments = await ou('Payments', production?.Id ?? '');
    const children = await orgs(MGMT).send(
      new ListChildrenCommand({ ParentId: production?.Id, ChildType: 'ACCOUNT' }),
    );
    expect(children.Children).toEqual([{ Id: MEMBER, Type: 'ACCOUNT' }]);
    const ous = await orgs(MGMT).send(
      new ListChildrenCommand({ ParentId: production?.Id, ChildType: 'ORGANIZATIONAL_UNIT' }),
    );
    expect(ous.Children).toEqual([{ Id: payments?.Id, Type: 'ORGANIZATIONAL_UNIT' }]);
    const inPayments = await orgs(MGMT).send(new ListAccountsForParentCommand({ ParentId: payments?.Id }));
    expect(inPayments.Accounts?.map((a) => [a.Id, a.Status])).toEqual([[RESTRICTED, 'SUSPENDED']]);
    const atRoot = await orgs(MGMT).send(new ListAccountsForParentCommand({ ParentId: root }));
    expect(atRoot.Accounts?.map((a) => [a.Id, a.Name])).toEqual([[MGMT, 'management']]);
  });

  it('answers ParentNotFound, InvalidInput and AccountNotFound as AWS does', async () => {
    const root = await rootId();
    const unknown = await caught(() =>
      orgs(MGMT).send(new ListAccountsForParentCommand({ ParentId: `ou-${root.slice(2)}-zzzzzzzz` })),
    );
    expect(unknown).toBeInstanceOf(ParentNotFoundException);
    const malformed = await caught(() =>
      orgs(MGMT).send(new ListChildrenCommand({ ParentId: 'Production', ChildType: 'ACCOUNT' })),
    );
    expect(malformed).toBeInstanceOf(InvalidInputException);
    const tooBig = await caught(() => orgs(MGMT).send(new ListAccountsCommand({ MaxResults: 21 })));
    expect(tooBig).toBeInstanceOf(InvalidInputException);
    const noAccount = await caught(() =>
      orgs(MGMT).send(new DescribeAccountCommand({ AccountId: OUTSIDER })),
    );
    expect(noAccount).toBeInstanceOf(AccountNotFoundException);
  });

  it('pages with MaxResults and omits the token on the last page', async () => {
    const first = await orgs(MGMT).send(new ListAccountsCommand({ MaxResults: 3 }));
    expect(first.Accounts).toHaveLength(3);
    const last = await orgs(MGMT).send(
      new ListAccountsCommand({ MaxResults: 3, NextToken: first.NextToken }),
    );
    expect(last.Accounts).toHaveLength(1);
    expect(last.NextToken).toBeUndefined();
  });

  it('lists trusted access, which the organization trail needs to reach members', async () => {
    const { EnabledServicePrincipals } = await orgs(MGMT).send(
      new ListAWSServiceAccessForOrganizationCommand({}),
    );
    expect(EnabledServicePrincipals?.map((p) => p.ServicePrincipal)).toContain('cloudtrail.amazonaws.com');
    const trails = await clients(sb, MEMBER, { region: 'us-east-1' }).cloudtrail.send(
      new DescribeTrailsCommand({}),
    );
    expect(trails.trailList?.map((t) => t.Name)).toEqual(['org-trail']);
  });

  it('throttles with TooManyRequestsException, which the SDK retries', async () => {
    sb.failNext('organizations:ListRoots', 'TooManyRequestsException', 2);
    const retrying = new OrganizationsClient({
      endpoint: sb.endpoint,
      region: 'us-east-1',
      credentials: sb.credentialsFor(MGMT),
      retryStrategy: new ConfiguredRetryStrategy(3, 5),
    });
    const out = await retrying.send(new ListRootsCommand({}));
    expect(out.$metadata.attempts).toBe(3);
    sb.failNext('organizations:ListRoots', 'TooManyRequestsException');
    expect(await caught(() => orgs(MGMT).send(new ListRootsCommand({})))).toBeInstanceOf(
      TooManyRequestsException,
    );
  });
});

describe('a generated organization of 1,000 accounts', () => {
  const N = 1000;
  let big: Sandbox;
  beforeAll(async () => {
    big = await startSandbox({
      scenario: {
        organization: {
          management_account: MGMT,
          generate: {
            accounts: N,
            organizational_units: 7,
            regions: ['eu-west-2', 'us-east-1'],
            suspended_every: 100,
          },
        },
        accounts: [{ id: MGMT, label: 'management' }],
      },
      seed: 11,
    });
  });
  afterAll(() => big.close());

  it('lists every account page by page through the SDK paginator', async () => {
    const client = clients(big, MGMT, { region: 'us-east-1' }).organizations;
    const ids: string[] = [];
    let pages = 0;
    let suspended = 0;
    for await (const page of paginateListAccounts({ client, pageSize: 20 }, {})) {
      pages++;
      for (const a of page.Accounts ?? []) {
        ids.push(a.Id ?? '');
        if (a.Status === 'SUSPENDED') suspended++;
      }
    }
    expect(new Set(ids).size).toBe(N + 1);
    expect(pages).toBe(Math.ceil((N + 1) / 20));
    expect(suspended).toBe(N / 100);
    expect(ids).toContain('200000000999');
  });

  it('spreads the accounts over OUs that ListChildren walks', async () => {
    const client = clients(big, MGMT, { region: 'us-east-1' }).organizations;
    const root = (await client.send(new ListRootsCommand({}))).Roots?.[0]?.Id;
    const ous = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root }));
    expect(ous.OrganizationalUnits).toHaveLength(7);
    let total = 0;
    for (const o of ous.OrganizationalUnits ?? []) {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListChildrenCommand({ ParentId: o.Id, ChildType: 'ACCOUNT', NextToken: token }),
        );
        total += page.Children?.length ?? 0;
        token = page.NextToken;
      } while (token);
    }
    expect(total).toBe(N);
  });
});
