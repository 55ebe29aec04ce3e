/**
 * `cis-bot audit --output <format> [--output-file PATH] [--export securityhub]` through runCli against
 * the sandbox: every format prints, a wrong format names the valid ones, the file is written whole by
 * rename (never truncated in place), a missing directory is refused before anything is audited, and the
 * Security Hub export changes the exit code only when findings did not reach the hub.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../adapters/cli/main';
import { AUDIT_OUTPUT_FORMATS } from '../../src/core/inputs';
import { loadScenario } from '../../src/sandbox';
import { bundledScenario } from '../../src/sandbox-run';

const DEMO = bundledScenario('audit-demo');
const ACCOUNTS = '111111111111,222222222222';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    env: {},
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
  });
  return { code, out, err };
}

const audit = (...more: string[]) => cli('audit', '4.1', '--sandbox', DEMO, '--accounts', ACCOUNTS, ...more);

describe('cis-bot audit --output', () => {
  it.each(AUDIT_OUTPUT_FORMATS.filter((f) => f !== 'text' && f !== 'json'))(
    'prints %s with the usual exit code',
    async (format) => {
      const r = await audit('--output', format);
      expect(r.code).toBe(1); // staging is non-compliant: exit codes are the same in every format
      expect(r.out).toContain('222222222222');
    },
  );

  it('names the valid formats when the format is wrong, and audits nothing', async () => {
    const r = await audit('--output', 'xml');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`Allowed choices are ${AUDIT_OUTPUT_FORMATS.join(', ')}`);
    expect(r.out).toBe('');
  });

  it('writes ASFF for the Security Hub of the account cis-bot runs as', async () => {
    const r = await audit('--output', 'asff');
    const { Findings } = JSON.parse(r.out) as {
      Findings: Array<{ AwsAccountId: string; ProductArn: string }>;
    };
    expect(Findings).toHaveLength(2);
    expect(Findings[0]).toMatchObject({
      AwsAccountId: '999900000001',
      ProductArn: 'arn:aws:securityhub:eu-west-2:999900000001:product/999900000001/default',
    });
  });
});

describe('cis-bot audit --output-file', () => {
  it('replaces the file by rename, leaves no temporary file, and prints nothing on stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cis-bot-report-'));
    const file = join(dir, 'cis.sarif');
    writeFileSync(file, 'the previous report');
    const before = statSync(file).ino;
    const r = await audit('--output', 'sarif', '--output-file', file);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(`sarif report written to ${file}`);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version).toBe('2.1.0');
    expect(statSync(file).ino).not.toBe(before); // a new file renamed over the old one, not rewritten in place
    expect(readdirSync(dir)).toEqual(['cis.sarif']);
  });

  it('refuses a directory that does not exist before auditing anything', async () => {
    const missing = join(tmpdir(), 'cis-bot-no-such-dir', 'deeper', 'report.csv');
    const r = await cli(
      'audit',
      '4.1',
      '--sandbox',
      '/no/such/scenario.yaml',
      '--output',
      'csv',
      '--output-file',
      missing,
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('does not exist; create it first or choose another path');
    expect(r.err).not.toContain('scenario'); // refused before the sandbox was even looked for
  });
});

describe('cis-bot audit --export securityhub', () => {
  it('exports to the hub and keeps the audit exit code when every finding is imported', async () => {
    const scenario = loadScenario(DEMO) as unknown as { accounts: Array<{ id: string; regions?: object }> };
    const hub = scenario.accounts[0];
    if (!hub) throw new Error('no accounts');
    hub.regions = { 'eu-west-2': { security_hub: { standards: [] } } };
    const file = join(mkdtempSync(join(tmpdir(), 'cis-bot-hub-')), 'scenario.yaml');
    writeFileSync(file, stringify(scenario));
    const r = await cli('audit', '4.1', '--sandbox', file, '--accounts', ACCOUNTS, '--export', 'securityhub');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'Security Hub (999900000001, eu-west-2): 2 of 2 finding(s) imported in 1 BatchImportFindings call(s).',
    );
  });

  it('exits 2 and says why when the findings cannot reach Security Hub', async () => {
    const r = await audit('--export', 'securityhub', '--output', 'json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ control: '4.1' }); // the report is still printed
    expect(r.err).toContain('0 of 2 finding(s) imported');
    expect(r.err).toContain('Security Hub is not enabled in account 999900000001, region eu-west-2');
  });
});
