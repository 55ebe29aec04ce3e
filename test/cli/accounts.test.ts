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
import { loadScenario, type Scenario, startSandbox } from '../../src/sandbox';
import {
  auditableScenarioFile,
  DEV,
  DISCOVERED,
  MGMT,
  ouIds,
  PAYMENTS,
  PROD,
  SUSPENDED,
} from '../accounts/org-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'cis-bot-accounts-'));
const SCENARIO = auditableScenarioFile();
let ou: Record<string, string>;

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(content));
  return path;
}

beforeAll(async () => {
  const sandbox = await startSandbox({ scenario: loadScenario(SCENARIO) as Scenario }); // OU ids are stable
  ou = ouIds(sandbox);
  await sandbox.close();
});

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
  return { code, out, err };
}

/** A command on the scenario with discovery on (`--organization`) and an empty configuration file. */
const discovering = (...argv: string[]) =>
  cli(...argv, '--sandbox', SCENARIO, '--organization', '--config', file('empty.yaml', {}));

describe('cis-bot accounts', () => {
  it('lists the discovered ACTIVE accounts as JSON, with their names', async () => {
    const r = await discovering('accounts', '--output', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ source: 'organization', count: 6, accounts: DISCOVERED });
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
    const r = await cli(
      'accounts',
      '--sandbox',
      SCENARIO,
      '--config',
      file('empty.yaml', {}),
      '--output',
      'json',
    );
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
    const r = await discovering('audit', '4.1', '--output', 'json');
    const report = JSON.parse(r.out) as AuditReport;
    expect(report.accounts.map((a) => ({ accountId: a.accountId, label: a.label }))).toEqual(DISCOVERED);
    // None of them has a trail in this scenario: each is audited (not refused) and found non-compliant.
    expect(report.accounts.every((a) => a.status === 'NON_COMPLIANT' && a.brokenLink === 'trail')).toBe(true);
    expect(r.code).toBe(1);
  });

  it('--accounts still names exactly the accounts audited', async () => {
    const r = await discovering('audit', '4.1', '--accounts', DEV, '--output', 'json');
    expect((JSON.parse(r.out) as AuditReport).accounts.map((a) => a.accountId)).toEqual([DEV]);
  });
});
