/**
 * Discovery at the target scale: a generated organization of 1,000 member accounts (every 40th
 * suspended, spread over 10 OUs) read through every page of the real SDK client, with no call per
 * account; walking the OUs from the root finds the same accounts; and with throttling injected into
 * Organizations the result is identical (the SDK's adaptive retries absorb it).
 */
import type { AwsSession } from '../../src/aws/session';
import type { DirectoryAccount } from '../../src/core/ports/account-directory';
import { startSandbox } from '../../src/sandbox';
import { directoryFor, MGMT, organizationsCalls, sessionAs } from './org-fixtures';

const MEMBERS = 1000;
const SUSPENDED_EVERY = 40;
const ACTIVE = MEMBERS - MEMBERS / SUSPENDED_EVERY + 1; // the management account is listed too
const PAGE = 20; // the most ListAccounts returns per page

function scenario() {
  return {
    organization: {
      management_account: MGMT,
      generate: { accounts: MEMBERS, organizational_units: 10, suspended_every: SUSPENDED_EVERY },
    },
    accounts: [{ id: MGMT, label: 'management' }],
  };
}

async function discoverWith(
  options: { throttle?: Record<string, number> },
  organization: Record<string, unknown> = {},
): Promise<{ accounts: readonly DirectoryAccount[]; calls: string[]; rootId: string }> {
  const sandbox = await startSandbox({ scenario: scenario(), seed: 7, ...options });
  let session: AwsSession | undefined;
  try {
    session = sessionAs(sandbox, MGMT);
    const rootId = sandbox.state.organization?.rootId as string;
    const include = organization.include_ous === 'root' ? { include_ous: [rootId] } : {};
    const directory = directoryFor(session, { organization: { enabled: true, ...organization, ...include } });
    const accounts = await directory.list();
    return { accounts, calls: organizationsCalls(sandbox), rootId };
  } finally {
    session?.destroy();
    await sandbox.close();
  }
}

describe('a generated organization of 1,000 accounts', () => {
  let plain: Awaited<ReturnType<typeof discoverWith>>;

  beforeAll(async () => {
    plain = await discoverWith({});
  });

  it('lists every ACTIVE account through every ListAccounts page, with no call per account', () => {
    expect(plain.accounts).toHaveLength(ACTIVE);
    expect(new Set(plain.accounts.map((a) => a.accountId)).size).toBe(ACTIVE);
    expect(plain.accounts.find((a) => a.accountId === '200000000000')?.label).toBe('generated-00001');
    expect(plain.accounts.some((a) => a.accountId === '200000000039')).toBe(false); // the 40th: suspended
    expect(plain.calls).toEqual([
      'DescribeOrganization 200',
      ...Array.from({ length: Math.ceil((MEMBERS + 1) / PAGE) }, () => 'ListAccounts 200'),
    ]);
  });

  it('walking the OUs from the root finds the same accounts, each with its OU', async () => {
    const walked = await discoverWith({}, { include_ous: 'root' });
    expect(walked.accounts.map((a) => a.accountId)).toEqual(plain.accounts.map((a) => a.accountId));
    expect(walked.accounts.every((a) => a.ou?.startsWith('ou-') || a.ou === walked.rootId)).toBe(true);
    expect(new Set(walked.accounts.map((a) => a.ou)).size).toBe(11);
    // Per OU, not per account: 11 parents, each with its pages of accounts and one page of child OUs.
    expect(walked.calls.filter((c) => c.startsWith('ListChildren'))).toHaveLength(11);
    expect(walked.calls.length).toBeLessThan(100);
  });

  it('with a fifth of the Organizations calls throttled, the result is identical', async () => {
    const throttled = await discoverWith({ throttle: { organizations: 0.2 } });
    expect(throttled.accounts).toEqual(plain.accounts);
    expect(throttled.calls.filter((c) => c.includes('TooManyRequestsException')).length).toBeGreaterThan(3);
  });
});
