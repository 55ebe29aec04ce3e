/**
 * `remediate --approve ID` approves the plan an earlier run showed (by its approval id or plan hash)
 * instead of asking for a new approval; when the account changed in between, nothing runs, the approval
 * goes stale and the current plan is shown with its own id. And the database the CLI creates in the
 * working folder is announced once. In-process through runCli, with the real sandbox, store and SDK.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../adapters/cli/main';
import { openStore } from '../../src/store';
import { ACCOUNT, brokenScenario, configDoc, tempDir } from './helpers';

const tmp = tempDir();
const configFile = join(tmp.dir, 'cis-bot.yaml');
afterAll(() => tmp.remove());
beforeAll(() => writeFileSync(configFile, stringify(configDoc())));

let dbCount = 0;
/** A new database and a scenario file (rewritten by `breaks` between runs, as an account changes). */
function world(breaks: Parameters<typeof brokenScenario>[0]) {
  dbCount += 1;
  const db = join(tmp.dir, `cli-${dbCount}.db`);
  const scenario = join(tmp.dir, `scenario-${dbCount}.yaml`);
  const setAccount = (b: Parameters<typeof brokenScenario>[0]) =>
    writeFileSync(scenario, stringify(brokenScenario(b)));
  setAccount(breaks);
  const cli = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli([...argv, '--sandbox', scenario], {
      stdout: (s) => {
        out += s;
      },
      stderr: (s) => {
        err += s;
      },
      env: { CIS_BOT_CONFIG: configFile, CIS_BOT_DB: db },
    });
    return { code, out, err };
  };
  const approvals = async () => {
    const store = openStore(db);
    try {
      return await store.listApprovals();
    } finally {
      await store.close();
    }
  };
  return { db, cli, setAccount, approvals };
}

const shownId = (out: string) => /Approval ([0-9a-f-]{36}) requested/.exec(out)?.[1] ?? '';

test('--approve ID approves and runs the plan shown earlier, not a new one', async () => {
  const w = world(['filter', 'alarm']);
  const shown = await w.cli('remediate', '4.1', '--operator', 'alice');
  expect(shown.code).toBe(1);
  const id = shownId(shown.out);
  expect(shown.out).toContain(`cis-bot remediate 4.1 --account ${ACCOUNT} --approve ${id}`);
  const run = await w.cli('remediate', '4.1', '--operator', 'alice', '--approve', id);
  expect(run.err).toBe('');
  expect(run.code).toBe(0);
  expect(run.out).toContain('Remediation finished: the re-audit says COMPLIANT.');
  expect(run.out).not.toContain('requested by');
  const all = await w.approvals();
  expect(all.map((a) => [a.id, a.state])).toEqual([[id, 'succeeded']]);
});

test('--approve takes the plan hash too, and refuses what it does not name', async () => {
  const w = world(['filter']);
  const shown = await w.cli('remediate', '4.1', '--operator', 'alice');
  const hash = /Plan hash: ([0-9a-f]{64})/.exec(shown.out)?.[1] ?? '';
  const unknown = await w.cli('remediate', '4.1', '--approve', '0123456789abcdef', '--operator', 'alice');
  expect(unknown.code).toBe(2);
  expect(unknown.err).toMatch(/No approval 0123456789abcdef in this database: run `cis-bot remediate 4\.1`/);
  const other = await w.cli('remediate', '4.2', '--approve', shownId(shown.out), '--operator', 'alice');
  expect(other.code).toBe(2);
  expect(other.err).toContain(`is the approval of CIS 4.1 for account ${ACCOUNT}, not of CIS 4.2`);
  const bad = await w.cli('remediate', '4.1', '--approve', 'yes');
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('expected the approval id the plan showed (a UUID) or its plan hash');
  const run = await w.cli('remediate', '4.1', '--operator', 'alice', '--approve', hash.slice(0, 12));
  expect(run.code).toBe(0);
  expect((await w.approvals()).map((a) => a.state)).toEqual(['succeeded']);
});

test('when the account changed since the plan was shown, nothing runs and the current plan is shown', async () => {
  const w = world(['filter', 'alarm']);
  const shown = await w.cli('remediate', '4.1', '--operator', 'alice');
  const id = shownId(shown.out);
  // Meanwhile someone fixes the metric filter by hand: the plan shown is not what would run now.
  w.setAccount(['alarm']);
  const run = await w.cli('remediate', '4.1', '--operator', 'alice', '--approve', id);
  expect(run.code).toBe(2);
  expect(run.err).toContain(`Nothing was run: the account changed after plan`);
  expect(run.err).toContain(`approval ${id} is stale`);
  expect(run.out).toContain('The plan now:');
  const fresh = shownId(run.out);
  expect(fresh).not.toBe(id);
  expect(run.out).toContain(`--approve ${fresh}`);
  const states = new Map((await w.approvals()).map((a) => [a.id, a.state]));
  expect(states.get(id)).toBe('stale');
  expect(states.get(fresh)).toBe('requested');
});

test('the database the CLI creates is announced once, with its full path', async () => {
  const w = world(['filter']);
  const first = await w.cli('remediate', '4.1');
  expect(first.err).toBe(
    `cis-bot: created the database ${w.db} (approvals and the audit log); set CIS_BOT_DB or store.path in cis-bot.yaml to keep it elsewhere.\n`,
  );
  const second = await w.cli('remediate', '4.1');
  expect(second.err).toBe('');
});
