/**
 * The CLI end to end, in-process through commander with the real sandbox, store and SDK clients:
 * `remediate 4.1` shows the plan (exit 1), `remediate 4.1 --approve` turns a non-compliant sandbox account
 * COMPLIANT (exit 0), refusals exit 2, and `history` shows every stage: plan, approval, execution-started,
 * each step, execution-finished and the re-audit.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../adapters/cli/main';
import type { AuditLogEntry } from '../../src/core/ports/store';
import { createTestDatabase, queryRows } from '../support/postgres';
import { brokenScenario, configDoc, tempDir } from './helpers';

interface Run {
  code: number;
  out: string;
  err: string;
}

const tmp = tempDir();
const scenarioFile = join(tmp.dir, 'scenario.yaml');
const configFile = join(tmp.dir, 'cis-bot.yaml');
const env = { CIS_BOT_CONFIG: configFile, CIS_BOT_DB: join(tmp.dir, 'cli.db') };

beforeAll(() => {
  writeFileSync(scenarioFile, stringify(brokenScenario(['filter', 'alarm', 'topic'])));
  writeFileSync(configFile, stringify(configDoc()));
});
afterAll(() => tmp.remove());

async function cli(...argv: string[]): Promise<Run> {
  return cliWith(env, ...argv);
}

async function cliWith(environment: NodeJS.ProcessEnv, ...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    env: environment,
  });
  return { code, out, err };
}

test('remediate shows the plan with CLI equivalents and its hash, and exits 1', async () => {
  const r = await cli('remediate', '4.1', '--sandbox', scenarioFile);
  // The first command of the file creates its database, and says where it is.
  expect(r.err).toBe(
    `cis-bot: created the database ${env.CIS_BOT_DB} (approvals and the audit log); set CIS_BOT_DB or store.path in cis-bot.yaml to keep it elsewhere.\n`,
  );
  expect(r.code).toBe(1);
  expect(r.out).toContain('CIS 4.1 remediation plan for account 111122223333');
  expect(r.out).toMatch(/Plan hash: [0-9a-f]{64}/);
  expect(r.out).toContain(
    'aws logs put-metric-filter --log-group-name ct-logs --filter-name unauthorized_api_calls_metric',
  );
  expect(r.out).toContain('aws sns create-topic --name cis-security-alarms');
  expect(r.out).toContain(
    'aws sns subscribe --topic-arn arn:aws:sns:eu-west-2:111122223333:cis-security-alarms --protocol sqs',
  );
  expect(r.out).toContain(
    'aws cloudwatch put-metric-alarm --alarm-name unauthorized_api_calls_alarm --metric-name unauthorized_api_calls_metric --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --namespace CISBenchmark --alarm-actions arn:aws:sns:eu-west-2:111122223333:cis-security-alarms',
  );
  expect(r.out).toMatch(
    /To approve and execute exactly this plan .*\n {2}cis-bot remediate 4\.1 --account 111122223333 --approve [0-9a-f-]{36}\n/,
  );
});

test('remediate --output json returns the plan and the approval request', async () => {
  const r = await cli('remediate', '4.1', '--sandbox', scenarioFile, '--output', 'json');
  expect(r.code).toBe(1);
  const body = JSON.parse(r.out) as {
    kind: string;
    plan: { steps: unknown[]; hash: string };
    approval: { state: string };
  };
  expect(body.kind).toBe('plan');
  expect(body.plan.steps).toHaveLength(4);
  expect(body.approval.state).toBe('requested');
});

test('an operator not in approvals.cli.users is refused with exit 2', async () => {
  const r = await cli('remediate', '4.1', '--sandbox', scenarioFile, '--approve', '--operator', 'mallory');
  expect(r.code).toBe(2);
  expect(r.err).toContain('mallory may not approve remediations on cli');
  expect(r.out).not.toContain('Remediation finished');
});

test('remediate --approve makes the account COMPLIANT (exit 0) and history shows every stage', async () => {
  const r = await cli('remediate', '4.1', '--sandbox', scenarioFile, '--approve', '--operator', 'alice');
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toContain('[1/4] done: Create metric filter');
  expect(r.out).toContain('[4/4] done: Create alarm');
  expect(r.out).toContain('Re-audit: COMPLIANT');

  const json = await cli('history', '--output', 'json', '--limit', '200');
  expect(json.code).toBe(0);
  const entries = JSON.parse(json.out) as AuditLogEntry[];
  const approvalId = [...entries].reverse().find((e) => e.kind === 'execution-finished')?.approvalId;
  expect(approvalId).toBeDefined();
  const hash = entries.find((e) => e.approvalId === approvalId)?.planHash;
  const story = entries
    .filter(
      (e) => e.approvalId === approvalId || (e.kind === 'plan' && e.planHash === hash) || e.kind === 'audit',
    )
    .map((e) => (e.kind === 'audit' ? `audit:${(e.detail as { purpose: string }).purpose}` : e.kind));
  // The last run's story, in order (earlier runs' audits and plans precede it).
  const start = story.lastIndexOf('audit:plan');
  expect(story.slice(start)).toEqual([
    'audit:plan',
    'plan',
    'approval-requested',
    'approved',
    'audit:re-derive',
    'execution-started',
    'step',
    'step',
    'step',
    'step',
    // The re-audit's verdict is part of the result that finishes the execution, so it comes first.
    'audit:re-audit',
    'execution-finished',
  ]);
  const finished = entries.find((e) => e.kind === 'execution-finished' && e.approvalId === approvalId);
  expect(finished?.detail).toMatchObject({
    outcome: 'succeeded',
    result: { status: 'compliant', reaudit: { status: 'COMPLIANT' } },
  });
  const approved = entries.find((e) => e.kind === 'approved' && e.approvalId === approvalId);
  expect(approved?.actor).toMatchObject({ platform: 'cli', userId: 'alice' });

  const text = await cli('history', '--limit', '30');
  expect(text.code).toBe(0);
  expect(text.out).toContain('execution-finished');
  expect(text.out).toContain('done: Create alarm');
  expect(text.out).toContain('re-audit: COMPLIANT');
});

test('a compliant account needs nothing: exit 0', async () => {
  const compliant = join(tmp.dir, 'compliant.yaml');
  writeFileSync(compliant, stringify(brokenScenario([])));
  const r = await cli('remediate', '4.1', '--sandbox', compliant);
  expect(r.code).toBe(0);
  expect(r.out).toContain('Nothing to do');
});

test('remediate and history keep the approval and its story in PostgreSQL with DATABASE_URL', async () => {
  const onPostgres = { CIS_BOT_CONFIG: configFile, DATABASE_URL: await createTestDatabase() };
  const r = await cliWith(
    onPostgres,
    'remediate',
    '4.1',
    '--sandbox',
    scenarioFile,
    '--approve',
    '--operator',
    'alice',
  );
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toContain('Re-audit: COMPLIANT');
  expect(await queryRows(onPostgres.DATABASE_URL, 'SELECT state FROM approvals')).toEqual([
    { state: 'succeeded' },
  ]);
  const history = await cliWith(onPostgres, 'history', '--limit', '30');
  expect(history.code).toBe(0);
  expect(history.out).toContain('execution-finished');
});
