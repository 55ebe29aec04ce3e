/**
 * The `cis-bot` CLI: in-process through runCli (exit codes, text and JSON output, usage errors), and as
 * a child process for what only a real process shows: no credentials, no region, and the SDK's standard
 * chain (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID...) reaching an AWS-compatible endpoint.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliIo, runCli } from '../../adapters/cli/main';
import type { AuditReport } from '../../src/core/evaluate';
import { loadScenario, type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { bundledScenario } from '../../src/sandbox-run';

const ROOT = join(__dirname, '..', '..');
const DEMO = bundledScenario('audit-demo');

function io(): CliIo & { out: string; err: string } {
  const sink = {
    out: '',
    err: '',
    env: {} as NodeJS.ProcessEnv,
    stdout(s: string) {
      sink.out += s;
    },
    stderr(s: string) {
      sink.err += s;
    },
  };
  return sink;
}

async function cli(...argv: string[]) {
  const sink = io();
  const code = await runCli(argv, sink);
  return { code, out: sink.out, err: sink.err };
}

describe('cis-bot demo', () => {
  it('audits the bundled accounts without credentials and exits 0', async () => {
    const r = await cli('demo');
    expect(r.code).toBe(0);
    expect(r.out).toContain('CIS 4.1 audit: 1 of 7 accounts compliant');
    expect(r.out).toContain('Compliant: 111111111111 (prod)');
    for (const label of ['staging', 'dev', 'marketing', 'analytics', 'payments', 'legacy'])
      expect(r.out).toContain(`(${label})`);
    // Then the bot's main job end to end on the embedded database: the dev account fixed as an approved plan.
    expect(r.out).toContain('--- Fixing account 333333333333 (broken link: metric-filter)');
    expect(r.out).toContain('Remediation finished: the re-audit says COMPLIANT.');
    // Then someone deletes the alarm again: the CloudTrail event reaches the queue and the drift alert says so.
    const drift = r.out.slice(
      r.out.indexOf('--- Drift alert: someone deletes the alarm in account 333333333333'),
    );
    expect(drift).toMatch(/CIS 4\.1 NON-COMPLIANT in account 333333333333 \(dev\)/);
    expect(drift).toMatch(/Before: compliant +After: NON-COMPLIANT +Who: arn:aws:iam::333333333333:user\//);
    expect(drift).toContain('DeleteAlarms (monitoring)');
    expect(drift).toContain('[Remediate]');
    for (const kind of [
      'approval-requested',
      'approved',
      'execution-started',
      'step',
      'execution-finished',
      'drift-alert',
    ])
      expect(r.out).toMatch(new RegExp(`#\\d+ \\S+ ${kind} `));
  });

  it('prints the JSON report', async () => {
    const r = await cli('demo', '--output', 'json');
    const report = JSON.parse(r.out) as AuditReport;
    expect(report.control).toBe('4.1');
    expect(report.accounts.map((a) => [a.label, a.status, a.brokenLink ?? null])).toEqual([
      ['prod', 'COMPLIANT', null],
      ['staging', 'NON_COMPLIANT', 'logging'],
      ['dev', 'NON_COMPLIANT', 'metric-filter'],
      ['marketing', 'NON_COMPLIANT', 'subscription'],
      ['analytics', 'NON_COMPLIANT', 'alarm'],
      ['payments', 'ERROR', 'log-group'],
      ['legacy', 'NON_COMPLIANT', 'trail'],
    ]);
  });
});

describe('cis-bot audit --sandbox', () => {
  it('exits 0 for a compliant account and prints the stable JSON shape', async () => {
    const r = await cli('audit', '4.1', '--sandbox', DEMO, '--accounts', '111111111111', '--output', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as AuditReport;
    expect(Object.keys(report)).toEqual([
      'control',
      'controlTitle',
      'startedAt',
      'finishedAt',
      'region',
      'accounts',
      'summary',
      'stats',
    ]);
    const account = report.accounts[0];
    expect(account).toMatchObject({ accountId: '111111111111', status: 'COMPLIANT', label: 'prod' });
    expect(account?.links.map((l) => [l.link, l.status])).toEqual([
      ['trail', 'pass'],
      ['logging', 'pass'],
      ['management-events', 'pass'],
      ['log-group', 'pass'],
      ['metric-filter', 'pass'],
      ['alarm', 'pass'],
      ['topic', 'pass'],
      ['subscription', 'pass'],
    ]);
    for (const l of account?.links ?? [])
      expect(Object.keys(l)).toEqual(expect.arrayContaining(['link', 'status', 'detail', 'evidence']));
  });

  it('exits 1 when an account is non-compliant and 2 when one cannot be audited', async () => {
    expect((await cli('audit', '4.1', '--sandbox', DEMO, '--accounts', '333333333333')).code).toBe(1);
    const r = await cli(
      'audit',
      '4.1',
      '--sandbox',
      DEMO,
      '--accounts',
      '111111111111,666666666666',
      '--level',
      'error',
    );
    expect(r.code).toBe(2);
    expect(r.out).toContain('grant logs:DescribeMetricFilters to the audit role');
    expect(r.out).not.toContain('111111111111');
  });

  it('takes a role name and fails AssumeRole clearly when the role does not exist', async () => {
    const r = await cli(
      'audit',
      '4.1',
      '--sandbox',
      DEMO,
      '--accounts',
      '111111111111',
      '--role',
      'NoSuchRole',
    );
    expect(r.code).toBe(2);
    expect(r.out).toContain('cannot assume arn:aws:iam::111111111111:role/NoSuchRole: access denied');
  });
});

describe('usage errors exit 2 with a clear message', () => {
  it.each([
    [['audit', '9.9', '--sandbox', DEMO], /Unknown control "9\.9"\. Known controls: 4\.1/],
    [['audit', '4.1', '--output', 'xml'], /argument 'xml' is invalid\. Allowed choices are text, json/],
    [['audit', '4.1', '--accounts', '12'], /12-digit AWS account ids/],
    [['audit', '4.1', '--region', 'mars'], /not an AWS region/],
    [['audit', '4.1', '--bogus'], /unknown option '--bogus'/],
    [['audit'], /missing required argument 'control'/],
    [['audit', '4.1', '--sandbox', '/nonexistent/scenario.yaml'], /Sandbox scenario file not found/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('--help exits 0 and lists the commands', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/audit \[options\] <control>/);
    expect(r.out).toMatch(/demo/);
  });
});

describe('as a process, with the SDK standard chain', () => {
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const home = mkdtempSync(join(tmpdir(), 'cis-bot-cli-'));
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: loadScenario(DEMO) as Scenario });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  function run(
    args: string[],
    env: Record<string, string>,
  ): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(tsx, [join(ROOT, 'adapters', 'cli', 'main.ts'), ...args], {
        cwd: home,
        env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...env },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out, err }));
    });
  }

  it('audits the account of AWS_ACCESS_KEY_ID at AWS_ENDPOINT_URL in AWS_REGION', async () => {
    const creds = sandbox.credentialsFor('111111111111');
    const r = await run(['audit', '4.1', '--output', 'json'], {
      AWS_ENDPOINT_URL: sandbox.endpoint,
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    });
    expect(r.err).not.toMatch(/cis-bot:/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      accounts: [{ accountId: '111111111111', status: 'COMPLIANT' }],
    });
  });

  it('names credentials AWS refuses as such, not as access denied, and exits 2', async () => {
    const r = await run(['audit', '4.1', '--output', 'json'], {
      AWS_ENDPOINT_URL: sandbox.endpoint,
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: 'AKIAREVOKEDKEY000000',
      AWS_SECRET_ACCESS_KEY: 'revoked',
    });
    expect(r.code).toBe(2);
    const [account] = (JSON.parse(r.out) as AuditReport).accounts;
    expect(account?.accessError).toEqual({
      kind: 'credentials',
      action: 'sts:GetCallerIdentity',
      code: 'InvalidClientTokenId',
    });
    expect(account?.reason).toMatch(
      /AWS refused cis-bot's own AWS credentials \(InvalidClientTokenId\): the credentials are invalid, expired or revoked\. Renew or replace them/,
    );
    expect(`${r.out}${r.err}`).not.toMatch(/grant|access denied/i);
  });

  it('says how to provide credentials when there are none', async () => {
    const r = await run(['audit', '4.1'], { AWS_REGION: 'eu-west-2', AWS_ENDPOINT_URL: sandbox.endpoint });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/No AWS credentials found\. Set AWS_PROFILE/);
  });

  it('says how to provide a region when there is none', async () => {
    const r = await run(['audit', '4.1'], {});
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/No AWS region: pass --region, set AWS_REGION/);
  });
});
