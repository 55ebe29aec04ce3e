/**
 * `cis-bot audit 4` over an organization through the real entry (bin/cis-bot.js over the bundle
 * dist/cli.cjs) with aws.audit_workers 2 and 0: the bundled worker entry (dist/audit-worker.js, beside
 * the bundle) loads, prints nothing on stderr, and the JSON report is the in-process one.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../support/cli-process';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'cis-bot.js');
const dir = mkdtempSync(join(tmpdir(), 'cis-bot-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const SCENARIO = write(
  'org.yaml',
  [
    'organization:',
    '  management_account: "999988887777"',
    '  generate:',
    '    accounts: 30',
    '    regions: [eu-west-2]',
    'accounts:',
    '  - id: "999988887777"',
    '    label: management',
    '',
  ].join('\n'),
);

async function audit(workers: number) {
  const config = write(`workers-${workers}.yaml`, `aws:\n  audit_workers: ${workers}\n`);
  const r = await runProcess(
    process.execPath,
    [
      BIN,
      'audit',
      '4',
      '--sandbox',
      SCENARIO,
      '--organization',
      '--region',
      'eu-west-2',
      '--concurrency',
      '4',
      '--config',
      config,
      '--output',
      'json',
    ],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        AWS_EC2_METADATA_DISABLED: 'true',
        CIS_BOT_DB: join(dir, `${workers}.db`),
      },
    },
  );
  const report = JSON.parse(r.out) as { accounts: unknown[]; summary: unknown; stats: { apiCalls: number } };
  return { ...r, report };
}

test('the bundled CLI audits an organization in worker threads with the in-process report', async () => {
  expect(existsSync(join(ROOT, 'dist', 'audit-worker.js'))).toBe(true);
  const inWorkers = await audit(2);
  const inProcess = await audit(0);
  expect(inWorkers.err).toBe('');
  expect(inWorkers.code).toBe(inProcess.code);
  expect(inWorkers.report.accounts).toHaveLength(31);
  const rows = (r: typeof inProcess.report) =>
    JSON.stringify(r.accounts.map((a) => ({ ...(a as object), checkedAt: undefined })));
  expect(rows(inWorkers.report)).toBe(rows(inProcess.report));
  expect(inWorkers.report.summary).toEqual(inProcess.report.summary);
  expect(inWorkers.report.stats.apiCalls).toBe(inProcess.report.stats.apiCalls);
});
