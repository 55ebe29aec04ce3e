/**
 * Accepted exceptions through the CLI, in-process through runCli over the sandbox and one SQLite file
 * (issue 14): `except` asks, another operator named in approvals.cli.users approves with `--approve ID`
 * (the requester may not: require_distinct_approver is on here), `audit` then shows ACCEPTED in JSON and
 * SARIF and exits 1 unless --accept-exceptions, `exceptions` lists it, `--revoke` (approvers only)
 * revokes it and the control fails again; a named deviation (`--deviation`) makes the audit check the
 * chain through the accepted filter; bad input is refused and stores nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runCli } from '../../adapters/cli/main';
import type { AuditReport } from '../../src/core/evaluate';
import { bundledScenario } from '../../src/sandbox-run';
import { openStore } from '../../src/store';
import { cliSink } from '../support/cli-process';

const DEMO = bundledScenario('audit-demo');
const DEV = '333333333333';
const dir = mkdtempSync(join(tmpdir(), 'cis-bot-exceptions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 24 * 60 * 60 * 1000;
const day = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);

let n = 0;
function config(): string {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(
    file,
    `store: { path: ${join(dir, `db${n}.sqlite`)} }\napprovals:\n  cli: { users: [alice, bob], require_distinct_approver: true }\n`,
  );
  return file;
}

async function cli(cfg: string, ...argv: string[]) {
  return cliOn(DEMO, cfg, ...argv);
}

async function cliOn(scenario: string, cfg: string, ...argv: string[]) {
  const io = cliSink();
  const code = await runCli([...argv, '--sandbox', scenario, '--config', cfg], io);
  return { code, out: io.out, err: io.err };
}

/** The demo scenario with the dev account's alarm deleted (its filter, the one a deviation accepts, stays). */
function demoWithoutDevAlarm(): string {
  const scenario = parse(readFileSync(DEMO, 'utf8')) as {
    accounts: Array<{ id: string; regions: Record<string, { alarms?: unknown[] }> }>;
  };
  const dev = scenario.accounts.find((a) => a.id === DEV);
  for (const region of Object.values(dev?.regions ?? {})) region.alarms = [];
  const file = join(dir, 'no-dev-alarm.yaml');
  writeFileSync(file, stringify(scenario));
  return file;
}

/** `except 4.1 --deviation` for the dev account, asked by alice and approved by bob: the approval id. */
async function grantDeviation(scenario: string, cfg: string): Promise<string> {
  const asked = await cliOn(
    scenario,
    cfg,
    ...['except', '4.1', '--account', DEV, '--reason', 'vendor scanner', '--until', day(60)],
    ...['--deviation', '--operator', 'alice'],
  );
  expect(asked.out).toContain("Named deviation: only filter 'access-denied'");
  const id = /Approval (\S+) requested by alice/.exec(asked.out)?.[1] as string;
  expect((await cliOn(scenario, cfg, 'except', '4.1', '--approve', id, '--operator', 'bob')).code).toBe(0);
  return id;
}

test('except, approve by another operator, ACCEPTED in audits (exit 1 unless --accept-exceptions), list, revoke', async () => {
  const cfg = config();
  const until = day(60);
  const asked = await cli(
    cfg,
    'except',
    '4.1',
    '--account',
    DEV,
    '--reason',
    'vendor scanner',
    '--until',
    until,
    '--operator',
    'alice',
  );
  expect(asked.code).toBe(0);
  const id = /Approval (\S+) requested by alice/.exec(asked.out)?.[1] as string;
  expect(id).toBeDefined();

  const self = await cli(cfg, 'except', '4.1', '--approve', id, '--operator', 'alice');
  expect(self.code).not.toBe(0);
  expect(self.err).toMatch(/requested this exception and may not also approve it/);
  const granted = await cli(cfg, 'except', '4.1', '--approve', id, '--operator', 'bob');
  expect(granted.code).toBe(0);
  expect(granted.out).toContain(`Audits show CIS 4.1 on account ${DEV} as ACCEPTED until ${until}`);

  const json = await cli(cfg, 'audit', '4.1', '--accounts', DEV, '--output', 'json');
  expect(json.code).toBe(1);
  const report = JSON.parse(json.out) as AuditReport;
  expect(report.summary).toMatchObject({ total: 1, nonCompliant: 0, accepted: 1 });
  expect(report.accounts[0]).toMatchObject({
    status: 'ACCEPTED',
    brokenLink: 'metric-filter',
    exception: {
      id,
      until,
      reason: 'vendor scanner',
      approvedBy: { userId: 'bob' },
      requestedBy: { userId: 'alice' },
    },
  });
  expect((await cli(cfg, 'audit', '4.1', '--accounts', DEV, '--accept-exceptions')).code).toBe(0);
  const sarif = await cli(cfg, 'audit', '4.1', '--accounts', DEV, '--output', 'sarif');
  expect(JSON.parse(sarif.out).runs[0].results[0].suppressions[0]).toMatchObject({ kind: 'external' });

  const listed = await cli(cfg, 'exceptions');
  expect(listed.out).toContain(
    `${id}  CIS 4.1  account ${DEV}  until ${until}  approved by bob (requested by alice): vendor scanner`,
  );
  const stranger = await cli(cfg, 'exceptions', '--revoke', id, '--operator', 'mallory');
  expect(stranger.code).not.toBe(0);
  expect(stranger.err).toMatch(/may not revoke exceptions/);
  expect((await cli(cfg, 'exceptions', '--revoke', id, '--operator', 'bob')).out).toContain(`Revoked: ${id}`);
  const after = JSON.parse(
    (await cli(cfg, 'audit', '4.1', '--accounts', DEV, '--output', 'json')).out,
  ) as AuditReport;
  expect(after.accounts[0]?.status).toBe('NON_COMPLIANT');
  expect((await cli(cfg, 'exceptions')).out).toContain('No accepted exceptions are in force.');
});

test('a named deviation: ACCEPTED while the chain through the accepted filter holds, NON_COMPLIANT at its alarm once that is gone', async () => {
  const cfg = config();
  const id = await grantDeviation(DEMO, cfg);
  const audit = async (scenario: string) => {
    const r = await cliOn(scenario, cfg, 'audit', '4.1', '--accounts', DEV, '--output', 'json');
    return { code: r.code, finding: (JSON.parse(r.out) as AuditReport).accounts[0] };
  };
  const held = await audit(DEMO);
  expect(held.code).toBe(1);
  expect(held.finding).toMatchObject({
    status: 'ACCEPTED',
    brokenLink: 'metric-filter',
    exception: { id, deviation: { filterName: 'access-denied' } },
  });
  expect(held.finding?.reason).toMatch(/The rest of the chain holds: alarm 'unauthorized_api_calls_alarm'/);

  // The same store and exception, the account's alarm deleted: the deviation no longer hides anything.
  const broken = await audit(demoWithoutDevAlarm());
  expect(broken.code).toBe(1);
  expect(broken.finding).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'alarm' });
  expect(broken.finding?.exception).toBeUndefined();
  expect(broken.finding?.reason).toMatch(
    /^No CloudWatch alarm on metric CISBenchmark\/unauthorized_api_calls_metric/,
  );
  expect(broken.finding?.reason).toContain(`only by exception ${id} (named deviation)`);
});

test('bad input is refused with the rule and nothing is stored', async () => {
  const cfg = config();
  const cases: Array<[string[], RegExp]> = [
    [['--account', DEV, '--reason', 'x', '--until', day(-2)], /is in the past/],
    [['--account', DEV, '--reason', 'x', '--until', day(500)], /more than 365 days away/],
    [
      ['--account', '999999999999', '--reason', 'x', '--until', day(5)],
      /Not a configured account: 999999999999/,
    ],
    [['--account', DEV, '--until', day(5)], /needs --reason/],
  ];
  for (const [args, rule] of cases) {
    const r = await cli(cfg, 'except', '4.1', ...args, '--operator', 'alice');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(rule);
  }
  const unknown = await cli(cfg, 'except', '9.9', '--account', DEV, '--reason', 'x', '--until', day(5));
  expect(unknown.err).toMatch(/Unknown control "9\.9"/);
  const store = openStore(join(dir, `db${n}.sqlite`));
  try {
    expect(await store.listApprovals()).toEqual([]);
    expect(await store.listExceptions({ includeRevoked: true })).toEqual([]);
  } finally {
    await store.close();
  }
});
