/**
 * Organization trails read from a member account, through the real AWS SDK v3 clients against the
 * sandbox. The collector reads GetTrailStatus/GetEventSelectors of the management account's trail with the
 * trail OWNER's clients when cis-bot reaches that account, else with the member's own; whether real AWS
 * lets a member make those calls is uncertain (public reports disagree), so both sandbox behaviours run:
 * `organization.member_status_calls` allowed (default) and denied.
 */
import { runAudit } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { getControl } from '../../src/core/controls';
import type { AccountFinding } from '../../src/core/evaluate';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { chainAccount, SECURITY } from './fixtures';

const control = getControl('4.1');
const MGMT = '200000000099';
const MEMBER = '200000000098';
const REGION = 'eu-west-2';
const ORG_TRAIL = `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org-trail`;
const STATUS_READS = ['GetTrailStatus', 'GetEventSelectors'];

function scenario(memberStatusCalls: 'allowed' | 'denied', mgmtRoleTrusts?: string[]): Scenario {
  const mgmt = chainAccount(MGMT, 'management', {
    region: 'us-east-1',
    trail: { name: 'org-trail', organization: true },
  });
  return {
    organization: { management_account: MGMT, members: [MEMBER], member_status_calls: memberStatusCalls },
    accounts: [
      { id: SECURITY, label: 'security' },
      mgmtRoleTrusts ? { ...mgmt, roles: [{ name: 'CisBotAudit', trusted_accounts: mgmtRoleTrusts }] } : mgmt,
      { id: MEMBER, label: 'member', roles: [{ name: 'CisBotAudit' }] },
    ],
  };
}

const sandboxes: Sandbox[] = [];
const sessions: AwsSession[] = [];
afterAll(async () => {
  for (const s of sessions) s.destroy();
  for (const sb of sandboxes) await sb.close();
});

async function sandboxOf(s: Scenario): Promise<Sandbox> {
  const sb = await startSandbox({ scenario: s });
  sandboxes.push(sb);
  return sb;
}

/** Audits the member; `reachOwner` lets cis-bot assume its role in the management account too. */
async function auditMember(sb: Sandbox, reachOwner: boolean): Promise<AccountFinding> {
  const session = new AwsSession({
    region: REGION,
    credentials: sb.credentialsFor(SECURITY),
    ...(reachOwner ? { roleAccounts: [MGMT] } : {}),
    clientConfig: { endpoint: sb.endpoint, maxAttempts: 1 },
  });
  sessions.push(session);
  sb.resetCalls();
  const out = await runAudit({ control, session, region: REGION, accounts: [MEMBER] });
  return out.report.accounts[0] as AccountFinding;
}

/** Who made the trail's status/selector reads, and how they ended. */
const statusReads = (sb: Sandbox) =>
  sb.calls
    .filter((c) => STATUS_READS.includes(c.operation))
    .map((c) => `${c.accountId} ${c.region} ${c.operation} ${c.errorCode ?? c.status}`)
    .sort();

describe('member status calls denied (organization.member_status_calls: denied)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await sandboxOf(scenario('denied'));
  });

  it('reads the organization trail with the owner account when cis-bot reaches it: the chain holds', async () => {
    const f = await auditMember(sb, true);
    expect(f.status).toBe('COMPLIANT');
    expect(f.chain.trailArn).toBe(ORG_TRAIL);
    expect(f.links.map((l) => [l.link, l.status]).slice(0, 3)).toEqual([
      ['trail', 'pass'],
      ['logging', 'pass'],
      ['management-events', 'pass'],
    ]);
    expect(statusReads(sb)).toEqual([
      `${MGMT} us-east-1 GetEventSelectors 200`,
      `${MGMT} us-east-1 GetTrailStatus 200`,
    ]);
  });

  it('falls back to the member call when the owner is out of reach: an ERROR naming the action and the accounts', async () => {
    const f = await auditMember(sb, false);
    expect(f.status).toBe('ERROR');
    expect(f.brokenLink).toBe('logging');
    expect(f.reason).toMatch(
      new RegExp(
        `^cloudtrail:GetTrailStatus failed on organization trail 'org-trail' of account ${MGMT}: called in account ${MEMBER} \\(the audited account\\), us-east-1: AWS returned CloudTrailARNInvalidException \\(HTTP 400\\)$`,
      ),
    );
    const logging = f.links.find((l) => l.link === 'logging');
    expect(logging).toMatchObject({ status: 'error', action: 'cloudtrail:GetTrailStatus' });
    expect(f.links.find((l) => l.link === 'management-events')).toMatchObject({
      status: 'error',
      action: 'cloudtrail:GetEventSelectors',
    });
    expect(statusReads(sb)).toEqual([
      `${MEMBER} us-east-1 GetEventSelectors CloudTrailARNInvalidException`,
      `${MEMBER} us-east-1 GetTrailStatus CloudTrailARNInvalidException`,
    ]);
  });
});

describe('member status calls allowed (the default)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await sandboxOf(scenario('allowed'));
  });

  it('still asks the owner first when cis-bot reaches it', async () => {
    const f = await auditMember(sb, true);
    expect(f.status).toBe('COMPLIANT');
    expect(statusReads(sb)).toEqual([
      `${MGMT} us-east-1 GetEventSelectors 200`,
      `${MGMT} us-east-1 GetTrailStatus 200`,
    ]);
  });

  it('reads with the member when the owner is out of reach (the log group there is then the ERROR)', async () => {
    const f = await auditMember(sb, false);
    expect(f.links.slice(0, 3).map((l) => l.status)).toEqual(['pass', 'pass', 'pass']);
    expect(f).toMatchObject({ status: 'ERROR', brokenLink: 'log-group' });
    expect(statusReads(sb)).toEqual([
      `${MEMBER} us-east-1 GetEventSelectors 200`,
      `${MEMBER} us-east-1 GetTrailStatus 200`,
    ]);
    expect(sb.calls.some((c) => c.accountId === MGMT)).toBe(false);
  });
});

describe('the owner is configured but its role cannot be assumed', () => {
  it('falls back to the member call for the trail (the log group in the owner account stays an ERROR)', async () => {
    const sb = await sandboxOf(scenario('allowed', [MGMT]));
    const f = await auditMember(sb, true);
    expect(f.links.slice(0, 3).map((l) => [l.link, l.status])).toEqual([
      ['trail', 'pass'],
      ['logging', 'pass'],
      ['management-events', 'pass'],
    ]);
    expect(f).toMatchObject({ status: 'ERROR', brokenLink: 'log-group' });
    expect(statusReads(sb)).toEqual([
      `${MEMBER} us-east-1 GetEventSelectors 200`,
      `${MEMBER} us-east-1 GetTrailStatus 200`,
    ]);
  });

  it('and with member calls denied, the ERROR names both the refused call and the account it was made in', async () => {
    const sb = await sandboxOf(scenario('denied', [MGMT]));
    const f = await auditMember(sb, true);
    expect(f).toMatchObject({ status: 'ERROR', brokenLink: 'logging' });
    expect(f.reason).toContain(`called in account ${MEMBER} (the audited account)`);
    expect(f.reason).toContain(`organization trail 'org-trail' of account ${MGMT}`);
  });
});
