/**
 * Two things a new user meets first, in-process through runCli: `audit --sandbox FILE` audits the
 * scenario's accounts (from its first account, through AssumeRole) unless --accounts names others, and
 * the audit log is listed in one order everywhere (the newest entries, oldest first): by the demo and by
 * `history`, as its help says.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../adapters/cli/main';
import type { AuditReport } from '../../src/core/evaluate';
import { bundledScenario } from '../../src/sandbox-run';
import { cliSink } from '../support/cli-process';

const DEMO = bundledScenario('audit-demo');

const sink = cliSink;

/** The sequence numbers of `#N` history lines, in printed order. */
const seqs = (text: string) => [...text.matchAll(/^#(\d+) /gm)].map((m) => Number(m[1]));

test("audit --sandbox without --accounts audits the scenario's accounts", async () => {
  const io = sink();
  expect(await runCli(['audit', '4.1', '--sandbox', DEMO, '--output', 'json'], io)).toBe(2);
  const report = JSON.parse(io.out) as AuditReport;
  expect(report.accounts.map((a) => a.label)).toEqual([
    'prod',
    'staging',
    'dev',
    'marketing',
    'analytics',
    'payments',
    'legacy',
  ]);
  const one = sink();
  expect(await runCli(['audit', '4.1', '--sandbox', DEMO, '--accounts', '111111111111'], one)).toBe(0);
  expect(one.out).toContain('1 of 1 account compliant');
});

describe('the audit log, oldest first', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-history-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('in the demo and in `history`, with the newest entries kept by --limit', async () => {
    const demo = sink();
    expect(await runCli(['demo'], demo)).toBe(0);
    expect(demo.out).toContain('--- The audit log, oldest first');
    const shown = seqs(demo.out.slice(demo.out.indexOf('--- The audit log')));
    expect(shown.length).toBeGreaterThan(5);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));

    const db = join(dir, 'cis-bot.db');
    const remediate = sink({ CIS_BOT_DB: db });
    await runCli(['remediate', '4.1', '--sandbox', DEMO, '--account', '333333333333'], remediate);
    const all = sink({ CIS_BOT_DB: db });
    expect(await runCli(['history'], all)).toBe(0);
    const every = seqs(all.out);
    expect(every.length).toBeGreaterThan(2);
    expect(every).toEqual([...every].sort((a, b) => a - b));
    const last2 = sink({ CIS_BOT_DB: db });
    await runCli(['history', '--limit', '2'], last2);
    expect(seqs(last2.out)).toEqual(every.slice(-2));
  });
});
