/**
 * Account discovery from AWS Organizations through the real Organizations (and STS) SDK clients against
 * the sandbox: ACTIVE accounts only, names as labels, OUs walked recursively, exclusions, a delegated
 * administrator, aws.organization.role_arn, and every refusal worded with what to do.
 */
import type { AwsSession } from '../../src/aws/session';
import type { DirectoryAccount } from '../../src/core/ports/account-directory';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import {
  DELEGATED,
  DEV,
  DISCOVERED,
  directoryFor,
  MGMT,
  ORG_ROLE,
  OUTSIDER,
  organizationsCalls,
  orgScenario,
  ouIds,
  PAYMENTS,
  PROD,
  SECURITY,
  SUSPENDED,
  sessionAs,
} from './org-fixtures';

let sandbox: Sandbox;
let ou: Record<string, string>;
const sessions: AwsSession[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: orgScenario() });
  ou = ouIds(sandbox);
});

afterAll(async () => {
  for (const s of sessions) s.destroy();
  await sandbox.close();
});

beforeEach(() => sandbox.resetCalls());

function as(accountId: string): AwsSession {
  const session = sessionAs(sandbox, accountId);
  sessions.push(session);
  return session;
}

async function discover(caller: string, organization: Record<string, unknown>): Promise<DirectoryAccount[]> {
  const directory = directoryFor(as(caller), { organization: { enabled: true, ...organization } });
  expect(directory.source).toBe('organization');
  return [...(await directory.list())];
}

async function refusal(caller: string, organization: Record<string, unknown>): Promise<Error> {
  const error = await discover(caller, organization).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error('discovery succeeded');
  return error;
}

describe('the whole organization (ListAccounts)', () => {
  it('lists the ACTIVE accounts with their names as labels, suspended ones left out', async () => {
    expect(await discover(MGMT, {})).toEqual(DISCOVERED);
    expect(organizationsCalls(sandbox)).toEqual(['DescribeOrganization 200', 'ListAccounts 200']);
  });

  it('leaves out aws.organization.exclude_accounts', async () => {
    const ids = (await discover(MGMT, { exclude_accounts: [MGMT, SECURITY] })).map((a) => a.accountId);
    expect(ids).toEqual([PROD, DEV, PAYMENTS, DELEGATED]);
  });

  it('works from a delegated administrator account', async () => {
    expect((await discover(DELEGATED, {})).length).toBe(6);
  });
});

describe('include_ous (ListAccountsForParent and ListChildren, recursively)', () => {
  it('takes an OU and the OUs under it, each account with the OU it sits in', async () => {
    expect(await discover(MGMT, { include_ous: [ou.Production] })).toEqual([
      { accountId: PROD, label: 'prod', ou: ou.Production },
      { accountId: PAYMENTS, label: 'payments', ou: ou.Payments },
    ]);
    const calls = organizationsCalls(sandbox);
    expect(calls).not.toContain('ListAccounts 200');
    expect(calls.filter((c) => c.startsWith('ListChildren'))).toHaveLength(2);
  });

  it('takes the root (every account, with its OU), and lists an OU named twice only once', async () => {
    const all = await discover(MGMT, { include_ous: [ou.Root, ou.Payments] });
    expect(all.map((a) => [a.accountId, a.ou])).toEqual([
      [PROD, ou.Production],
      [SECURITY, ou.Root],
      [DEV, ou.Sandbox],
      [PAYMENTS, ou.Payments],
      [DELEGATED, ou.Root],
      [MGMT, ou.Root],
    ]);
    expect(organizationsCalls(sandbox).filter((c) => c.startsWith('ListAccountsForParent'))).toHaveLength(4);
  });

  it('an OU that does not exist is a clear error naming it and the organization', async () => {
    const org = sandbox.state.organization?.id as string;
    const error = await refusal(MGMT, { include_ous: [ou.Sandbox, 'ou-zzzz-zzzzzzzz'] });
    expect(error.message).toBe(
      `OU ou-zzzz-zzzzzzzz in aws.organization.include_ous does not exist in organization ${org}: correct or remove it (\`aws organizations list-roots\` and \`list-organizational-units-for-parent\` print the ids).`,
    );
  });
});

describe('aws.organization.role_arn', () => {
  it('is assumed first, and the Organizations calls are made as the management account', async () => {
    expect((await discover(SECURITY, { role_arn: ORG_ROLE })).length).toBe(6);
    const org = sandbox.calls.filter((c) => c.service === 'organizations');
    expect(org.length).toBeGreaterThan(0);
    expect(org.every((c) => c.accountId === MGMT)).toBe(true);
    expect(sandbox.calls.filter((c) => c.operation === 'AssumeRole').map((c) => c.accountId)).toEqual([
      SECURITY,
    ]);
  });

  it('a role that does not trust the caller is named, with what to fix', async () => {
    const error = await refusal(PROD, { role_arn: ORG_ROLE });
    expect(error.message).toMatch(
      new RegExp(
        `^Cannot assume aws\\.organization\\.role_arn ${ORG_ROLE} as cis-bot's identity arn:aws:iam::${PROD}:user/\\S+ \\(AccessDenied\\): its trust policy must allow that identity`,
      ),
    );
    expect(organizationsCalls(sandbox)).toEqual([]);
  });
});

describe('refusals name what to do', () => {
  it('a member that is neither the management account nor a delegated administrator', async () => {
    const org = sandbox.state.organization?.id as string;
    const error = await refusal(SECURITY, {});
    expect(error.message).toMatch(
      new RegExp(
        `^cis-bot's identity arn:aws:iam::${SECURITY}:user/\\S+ is not the management account or a delegated administrator of organization ${org} \\(the management account is ${MGMT}\\), so AWS denies organizations:ListAccounts: run cis-bot from there, register its account as a delegated administrator of the organization, or set aws\\.organization\\.role_arn`,
      ),
    );
  });

  it('an account in no organization', async () => {
    const error = await refusal(OUTSIDER, {});
    expect(error.message).toMatch(
      /is not in an AWS organization \(AWSOrganizationsNotInUseException\): .*aws\.organization\.role_arn/,
    );
    expect(error.message).toContain(`arn:aws:iam::${OUTSIDER}:`);
  });

  it('an IAM denial of one call names that action', async () => {
    sandbox.state.accounts.get(MGMT)?.deniedActions.push('organizations:ListAccounts');
    try {
      const error = await refusal(MGMT, {});
      expect(error.message).toMatch(
        new RegExp(
          `^Access denied to organizations:ListAccounts \\(AccessDeniedException\\) for cis-bot's identity arn:aws:iam::${MGMT}:\\S+: grant organizations:ListAccounts to it`,
        ),
      );
    } finally {
      sandbox.state.accounts.get(MGMT)?.deniedActions.pop();
    }
  });

  it('a delegated administrator denied ListChildren by IAM is told to grant it (not to become an administrator)', async () => {
    sandbox.state.accounts.get(DELEGATED)?.deniedActions.push('organizations:ListChildren');
    try {
      const error = await refusal(DELEGATED, { include_ous: [ou.Production] });
      expect(error.message).toMatch(
        /^Access denied to organizations:ListChildren .*grant organizations:ListChildren/,
      );
    } finally {
      sandbox.state.accounts.get(DELEGATED)?.deniedActions.pop();
    }
  });

  it('credentials AWS refuses are named as such: renew them, no grant helps', async () => {
    sandbox.failNext('organizations:ListAccounts', 'UnrecognizedClientException');
    const error = await refusal(MGMT, {});
    expect(error.message).toMatch(
      new RegExp(
        `^AWS refused the credentials of cis-bot's identity arn:aws:iam::${MGMT}:\\S+ on organizations:ListAccounts \\(UnrecognizedClientException\\): they are invalid, expired or revoked; renew them`,
      ),
    );
  });

  it('the suspended account is in the organization but never listed', async () => {
    expect((await discover(MGMT, { include_ous: [ou.Production] })).map((a) => a.accountId)).not.toContain(
      SUSPENDED,
    );
  });
});
