import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../adapters/cli/main';
import { CONTROLS } from '../../src/core/controls/registry';

interface Statement {
  Action: string[];
  Resource: string;
}
interface Printed {
  accountRolePolicy: { Statement: Statement[] };
  hubPolicy: { Statement: Statement[] };
  organizationRolePolicy?: { Statement: Statement[] };
}

const DISCOVERY = [
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
  'organizations:ListAccountsForParent',
  'organizations:ListChildren',
];
const ORG_ROLE = 'arn:aws:iam::999988887777:role/CisBotOrganizationRead';

async function policy(args: string[]): Promise<{ code: number; out: Printed }> {
  let stdout = '';
  const code = await runCli(['iam-policy', ...args], { stdout: (s) => (stdout += s), stderr: () => {} });
  return { code, out: (code === 0 ? JSON.parse(stdout) : undefined) as Printed };
}

describe('cis-bot iam-policy', () => {
  it('grants exactly the read actions the registry declares, and nothing that writes', async () => {
    const { code, out } = await policy(['--control', '4.1']);
    expect(code).toBe(0);
    const [read, ...rest] = out.accountRolePolicy.Statement as [Statement, ...Statement[]];
    expect(rest).toEqual([]);
    expect(read.Action).toEqual([...(CONTROLS.get('4.1')?.readActions ?? [])].sort());
    expect(read.Action.some((a) => /Put|Create|Subscribe|Delete/.test(a))).toBe(false);
  });

  it('adds the remediation calls only when asked, and scopes AssumeRole to the role template', async () => {
    const { out } = await policy([
      '--control',
      '4.1',
      '--remediation',
      '--role',
      'arn:aws:iam::{account}:role/Audit',
    ]);
    expect(out.accountRolePolicy.Statement[1]?.Action).toEqual([
      'cloudwatch:DescribeAlarms',
      'cloudwatch:PutMetricAlarm',
      'logs:PutMetricFilter',
      'sns:CreateTopic',
      'sns:Subscribe',
    ]);
    expect(out.hubPolicy.Statement[1]).toMatchObject({
      Action: ['sts:AssumeRole'],
      Resource: 'arn:aws:iam::*:role/Audit',
    });
  });

  it('names one role per configured account when given the accounts, and refuses malformed ids', async () => {
    const { out } = await policy(['--accounts', '111122223333,444455556666']);
    expect(out.hubPolicy.Statement[1]?.Resource).toEqual([
      'arn:aws:iam::111122223333:role/CisBotAudit',
      'arn:aws:iam::444455556666:role/CisBotAudit',
    ]);
    expect((await policy(['--accounts', '1:role/x'])).code).toBe(2);
  });

  it("README's IAM section lists exactly what it prints for every registered control", async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('## IAM permissions');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    /** The backticked IAM actions of the section's bullet that starts with `**label**`, up to `cut`. */
    const listed = (label: string, cut?: string) => {
      const bullet = section.split('\n- ').find((b) => b.startsWith(`**${label}**`)) ?? '';
      const text = cut !== undefined && bullet.includes(cut) ? bullet.slice(0, bullet.indexOf(cut)) : bullet;
      return [...text.matchAll(/`([a-z0-9-]+:[A-Za-z]+)`/g)].map((m) => m[1]).sort();
    };
    const actions = (statements: Statement[]) => statements.flatMap((s) => s.Action).sort();

    const audit = (await policy([])).out;
    expect(listed('Audit role in each audited account', '(plus')).toEqual(
      actions(audit.accountRolePolicy.Statement),
    );
    const confirming = (await policy(['--confirm-patterns'])).out;
    expect(listed('Audit role in each audited account')).toEqual(
      actions(confirming.accountRolePolicy.Statement),
    );
    const fixing = (await policy(['--remediation'])).out;
    expect(listed('Remediation')).toEqual(actions(fixing.accountRolePolicy.Statement.slice(1)));
    expect(listed('The identity cis-bot runs as', 'trust policy')).toEqual(
      actions(audit.hubPolicy.Statement),
    );
    const discovering = (await policy(['--organization'])).out;
    expect(listed('Account discovery', 'aws.organization.role_arn')).toEqual(
      actions(discovering.hubPolicy.Statement.slice(audit.hubPolicy.Statement.length)),
    );
    const exporting = (await policy(['--export', 'securityhub'])).out;
    expect(listed('Security Hub export')).toEqual(
      actions(exporting.hubPolicy.Statement.slice(audit.hubPolicy.Statement.length)),
    );
  });

  it('--organization adds the Organizations reads to the identity cis-bot runs as', async () => {
    const without = (await policy([])).out;
    expect(
      without.hubPolicy.Statement.flatMap((s) => s.Action).some((a) => a.startsWith('organizations:')),
    ).toBe(false);
    const { code, out } = await policy(['--organization']);
    expect(code).toBe(0);
    expect(out.hubPolicy.Statement.at(-1)).toEqual({
      Sid: 'CisBotDiscoverAccounts',
      Effect: 'Allow',
      Action: DISCOVERY,
      Resource: '*',
    });
    expect(out.organizationRolePolicy).toBeUndefined();
  });

  it('--organization-role: the identity may assume that role, and the role reads Organizations', async () => {
    const { out } = await policy(['--organization-role', ORG_ROLE]);
    expect(out.hubPolicy.Statement.at(-1)).toEqual({
      Sid: 'CisBotAssumeOrganizationRole',
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      Resource: ORG_ROLE,
    });
    expect(out.hubPolicy.Statement.flatMap((s) => s.Action).some((a) => a.startsWith('organizations:'))).toBe(
      false,
    );
    expect(out.organizationRolePolicy?.Statement).toEqual([
      { Sid: 'CisBotDiscoverAccounts', Effect: 'Allow', Action: DISCOVERY, Resource: '*' },
    ]);
    expect((await policy(['--organization-role', 'CisBotOrganizationRead'])).code).toBe(2);
  });

  it('adds the Security Hub export to the hub policy only when asked, and names the valid targets', async () => {
    expect((await policy([])).out.hubPolicy.Statement).toHaveLength(2);
    const { out } = await policy(['--export', 'securityhub']);
    expect(out.hubPolicy.Statement[2]).toMatchObject({
      Action: ['securityhub:BatchImportFindings', 'securityhub:GetFindings'],
    });
    let stderr = '';
    const code = await runCli(['iam-policy', '--export', 'splunk'], {
      stdout: () => {},
      stderr: (s) => (stderr += s),
    });
    expect(code).toBe(2);
    expect(stderr).toContain('Allowed choices are securityhub');
  });

  it('refuses an unknown control', async () => {
    expect((await policy(['--control', '9.9'])).code).toBe(2);
  });
});
