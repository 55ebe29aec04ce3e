/**
 * `cis-bot audit` with several controls (a list, or the section `4`), in-process against the bundled
 * sandbox: the extended JSON (a `controls` array per account, shaped like the one-control account
 * object; the controls named at the top; counts per control), exit codes over every account/control,
 * an unknown control named with the known ones, and a progress bar that stays on stderr.
 */
import { type CliIo, runCli } from '../../adapters/cli/main';
import type { ControlsReport } from '../../src/core/evaluate/controls-report';
import { bundledScenario } from '../../src/sandbox-run';

const DEMO = bundledScenario('audit-demo');
const PROD = '111111111111';
const DEV = '333333333333';
const PAYMENTS = '666666666666';

async function cli(argv: string[], tty = false) {
  let out = '';
  let err = '';
  const io: CliIo = {
    env: {},
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    stderrIsTTY: tty,
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const audit = (controls: string, accounts: string, ...more: string[]) =>
  cli(['audit', controls, '--sandbox', DEMO, '--accounts', accounts, ...more]);

describe('cis-bot audit with several controls', () => {
  it('prints a row of verdicts per account, each shaped like a one-control account object', async () => {
    const r = await audit('4.1,4.3', `${PROD},${DEV}`, '--output', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as ControlsReport;
    expect(Object.keys(report)).toEqual([
      'controls',
      'controlTitles',
      'startedAt',
      'finishedAt',
      'region',
      'accounts',
      'summary',
      'stats',
    ]);
    expect(report.controls).toEqual(['4.1', '4.3']);
    const [prod, dev] = report.accounts;
    expect(Object.keys(prod ?? {})).toEqual(['accountId', 'label', 'status', 'reason', 'controls']);
    expect(prod?.controls.map((f) => [f.control, f.accountId, f.status])).toEqual([
      ['4.1', PROD, 'COMPLIANT'],
      ['4.3', PROD, 'NON_COMPLIANT'],
    ]);
    for (const f of prod?.controls ?? []) {
      expect(Object.keys(f)).toEqual(
        expect.arrayContaining(['control', 'accountId', 'status', 'reason', 'links', 'chain', 'candidates']),
      );
    }
    expect(prod?.controls[1]?.brokenLink).toBe('metric-filter');
    expect(dev).toMatchObject({ accountId: DEV, status: 'NON_COMPLIANT' });
    expect(dev?.reason).toBe(
      '2 of 2 controls need attention: 4.1 NON_COMPLIANT (metric-filter), 4.3 NON_COMPLIANT (metric-filter).',
    );
    expect(report.summary).toEqual({
      total: 2,
      compliant: 0,
      nonCompliant: 2,
      accepted: 0,
      error: 0,
      controls: {
        '4.1': { total: 2, compliant: 1, nonCompliant: 1, accepted: 0, error: 0 },
        '4.3': { total: 2, compliant: 0, nonCompliant: 2, accepted: 0, error: 0 },
      },
    });
  });

  it('exits 2 when any account/control is ERROR, 0 only when every one is compliant', async () => {
    expect((await audit('4.1,4.1', PROD)).code).toBe(0); // the same control twice is one control
    expect((await audit('4.1,4.3', `${PROD},${PAYMENTS}`)).code).toBe(2);
  });

  it('audits the whole section with `4` and shows the summary, the worst accounts and every row', async () => {
    const r = await audit('4', `${PROD},${DEV}`);
    expect(r.code).toBe(1);
    expect(r.out).toContain('CIS 4 (16 controls) audit: 0 of 2 accounts compliant on every control');
    expect(r.out).toContain('Broken links (account x control): metric-filter 29, security-hub 2.');
    expect(r.out).toMatch(/CIS 4 \(16 controls\) NON-COMPLIANT: account 333333333333 \(dev\)/);
    expect(r.out).toMatch(/Account\s+4\.1\s+4\.2 .*4\.16/);
    expect(r.out).toMatch(/111111111111 \(prod\)\s+✓\s+✗/);
  });

  it('names the known controls when a list holds an unknown one, and refuses a malformed list', async () => {
    const unknown = await audit('4.1,4.99', PROD);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(
      /Unknown control "4\.99"\. Known controls: 4\.1, 4\.2, .*4\.16, 4 \(every control of section 4\)\./,
    );
    const bad = await audit('4.1,four', PROD);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('expected a control id such as 4.1, a section such as 4');
  });

  it('draws progress on a terminal stderr only: --output json stays one JSON document', async () => {
    const r = await cli(
      ['audit', '4', '--sandbox', DEMO, '--accounts', `${PROD},${DEV}`, '--output', 'json'],
      true,
    );
    expect(() => JSON.parse(r.out)).not.toThrow();
    expect(r.out).not.toContain('Auditing');
    expect(r.err).toContain('Auditing 2 accounts [');
    expect(r.err.endsWith('\r\x1b[K')).toBe(true);
    const piped = await audit('4', PROD, '--output', 'json');
    expect(piped.err).toBe('');
  });
});
