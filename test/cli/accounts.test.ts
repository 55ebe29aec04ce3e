/**
 * The CLI over account discovery, in-process through runCli against an organization scenario in the
 * sandbox: `cis-bot accounts` (text and JSON), `audit` auditing the discovered accounts, include_ous from
 * the configuration file, an unknown OU, and aws.accounts winning over aws.organization.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../adapters/cli/main';
import type { AuditReport } from '../../src/core/evaluate';
import { startSandbox } from '../../src/sandbox';
import {
  DELEGATED,
  DEV,
  MGMT,
  orgScenario,
  ouIds,
  PAYMENTS,
  PROD,
  SECURITY,
  SUSPENDED,
} from '../accounts/org-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'cis-bot-accounts-'));
const SCENARIO = join(dir, 'org.yaml');
let ou: Record<string, string>;

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(content));
  return path;
}

beforeAll(async () => {
  const scenario = orgScenario();
  // Every account can be audited through the usual role; the management account (the caller) first.
  for (const a of scenario.accounts) a.roles = [...(a.roles ?? []), { name: 'CisBotAudit' }];
  writeFileSync(SCENARIO, stringify(scenario));
  const sandbox = await startSandbox({ scenario }); // OU ids are stable for a scenario
  ou = ouIds(sandbox);
  await sandbox.close();
});

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
  return { code, out, err };
}

const EMPTY = () => file('empty.yaml', {});

describe('cis-bot accounts', () => {
  it('lists the discovered ACTIVE accounts as JSON, with their names', async () => {
    const r = await cli(
      'accounts',
      '--sandbox',
      SCENARIO,
      '--organization',
      '--output',
      'json',
      '--config',
      EMPTY(),
    );
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.out) as {
      source: string;
      count: number;
      accounts: Array<{ accountId: string }>;
    };
    expect(listed.source).toBe('organization');
    expect(listed.count).toBe(6);
    expect(listed.accounts.map((a) => a.accountId)).toEqual([PROD, SECURITY, DEV, PAYMENTS, DELEGATED, MGMT]);
    expect(listed.accounts).toContainEqual({ accountId: PAYMENTS, label: 'payments' });
    expect(r.out).not.toContain(SUSPENDED);
  });

  it('takes include_ous from the configuration file and shows each account with its OU', async () => {
    const config = file('ous.yaml', {
      aws: { organization: { enabled: true, include_ous: [ou.Production] } },
    });
    const r = await cli('accounts', '--sandbox', SCENARIO, '--config', config);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        '2 account(s) from AWS Organizations (aws.organization):',
        'ACCOUNT       NAME      OU',
        `${PROD}  prod      ${ou.Production}`,
        `${PAYMENTS}  payments  ${ou.Payments}`,
        '',
      ].join('\n'),
    );
  });

  it('an OU that does not exist exits 2 with the reason', async () => {
    const config = file('bad-ou.yaml', {
      aws: { organization: { enabled: true, include_ous: ['ou-zzzz-zzzzzzzz'] } },
    });
    const r = await cli('accounts', '--sandbox', SCENARIO, '--config', config);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^cis-bot: OU ou-zzzz-zzzzzzzz in aws\.organization\.include_ous does not exist in organization o-/,
    );
    expect(r.out).toBe('');
  });

  it('aws.accounts wins over aws.organization, and says so on stderr', async () => {
    const config = file('both.yaml', { aws: { accounts: [DEV], organization: { enabled: true } } });
    const r = await cli('accounts', '--sandbox', SCENARIO, '--config', config, '--output', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      source: 'configured',
      count: 1,
      accounts: [{ accountId: DEV, label: 'dev' }],
    });
    expect(r.err).toContain(
      'cis-bot: aws.accounts and aws.organization are both set: the 1 account(s) of aws.accounts are audited',
    );
  });

  it('without a list, shows the account of its own credentials', async () => {
    const r = await cli('accounts', '--sandbox', SCENARIO, '--config', EMPTY(), '--output', 'json');
    expect(JSON.parse(r.out)).toEqual({
      source: 'own',
      count: 1,
      accounts: [{ accountId: MGMT, label: 'management' }],
    });
  });

  it('is in --help', async () => {
    const r = await cli('--help');
    expect(r.out).toMatch(/\n {2}accounts \[options\] +list the accounts cis-bot audits/);
  });
});

describe('cis-bot audit with discovery', () => {
  it('audits every discovered account when no --accounts are given', async () => {
    const r = await cli(
      'audit',
      '4.1',
      '--sandbox',
      SCENARIO,
      '--organization',
      '--output',
      'json',
      '--config',
      EMPTY(),
    );
    const report = JSON.parse(r.out) as AuditReport;
    expect(report.accounts.map((a) => [a.accountId, a.label])).toEqual([
      [PROD, 'prod'],
      [SECURITY, 'security'],
      [DEV, 'dev'],
      [PAYMENTS, 'payments'],
      [DELEGATED, 'audit-tools'],
      [MGMT, 'management'],
    ]);
    // None of them has a trail in this scenario: each is audited (not refused) and found non-compliant.
    expect(report.accounts.every((a) => a.status === 'NON_COMPLIANT' && a.brokenLink === 'trail')).toBe(true);
    expect(r.code).toBe(1);
  });

  it('--accounts still names exactly the accounts audited', async () => {
    const r = await cli(
      'audit',
      '4.1',
      '--sandbox',
      SCENARIO,
      '--organization',
      '--accounts',
      DEV,
      '--output',
      'json',
      '--config',
      EMPTY(),
    );
    expect((JSON.parse(r.out) as AuditReport).accounts.map((a) => a.accountId)).toEqual([DEV]);
  });
});
