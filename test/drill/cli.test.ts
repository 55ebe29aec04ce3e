/**
 * `cis-bot drill 4.1` in-process through commander with the sandbox: it proposes and shows the warning
 * (exit 0, nothing fired), `--approve` runs it (exit 0, proven), a broken chain is refused (exit 2), and
 * `iam-policy --drill` prints the drill's least-privilege statements.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../adapters/cli/main';
import { drillActions } from '../../src/core/drill/iam';
import { brokenScenario, compliantRegion, configDoc, scenarioWith, tempDir } from '../remediation/helpers';
import { cliSink } from '../support/cli-process';

const tmp = tempDir();
const compliant = join(tmp.dir, 'compliant.yaml');
const broken = join(tmp.dir, 'broken.yaml');
const configFile = join(tmp.dir, 'cis-bot.yaml');
const env = { CIS_BOT_CONFIG: configFile, CIS_BOT_DB: join(tmp.dir, 'cli.db') };

beforeAll(() => {
  writeFileSync(compliant, stringify(scenarioWith(compliantRegion())));
  writeFileSync(broken, stringify(brokenScenario(['alarm'])));
  writeFileSync(configFile, stringify(configDoc({ drill: { wait_seconds: 1 } })));
});
afterAll(() => tmp.remove());

async function cli(...argv: string[]) {
  const io = cliSink(env);
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err };
}

test('drill shows the request and how to approve it; --approve runs it and says what was proven', async () => {
  const shown = await cli('drill', '4.1', '--sandbox', compliant, '--operator', 'alice');
  expect(shown.code).toBe(0);
  expect(shown.out).toContain('will really be notified');
  expect(shown.out).toMatch(/cis-bot drill 4\.1 --account 111122223333 --approve [0-9a-f-]{36}/);
  const ran = await cli('drill', '4.1', '--sandbox', compliant, '--operator', 'alice', '--approve');
  expect(ran.err).not.toContain('Error');
  expect(ran.code).toBe(0);
  expect(ran.out).toContain('Alarm to ALARM: done');
  expect(ran.out).toMatch(/Proven: The alarm unauthorized_api_calls_alarm fired at/);
});

test('a drill of a broken chain is refused with exit 2', async () => {
  const r = await cli('drill', '4.1', '--sandbox', broken, '--operator', 'alice', '--approve');
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/No drill: the CIS 4\.1 chain of account 111122223333 is broken at the alarm link/);
});

test('iam-policy --drill adds the drill statements, probe queues only', async () => {
  const r = await cli('iam-policy', '--control', '4.1', '--drill');
  expect(r.code).toBe(0);
  const policy = JSON.parse(r.out) as {
    accountRolePolicy: { Statement: Array<{ Sid: string; Action: string[]; Resource: unknown }> };
  };
  const drill = policy.accountRolePolicy.Statement.filter((s) => s.Sid.startsWith('CisBotDrill'));
  expect(drill.flatMap((s) => s.Action).sort()).toEqual(drillActions());
  expect(drill.find((s) => s.Sid === 'CisBotDrillProbeQueue')?.Resource).toBe(
    'arn:*:sqs:*:*:cis-bot-drill-*',
  );
  const without = JSON.parse((await cli('iam-policy', '--control', '4.1')).out) as typeof policy;
  expect(without.accountRolePolicy.Statement.some((s) => s.Sid.startsWith('CisBotDrill'))).toBe(false);
});
