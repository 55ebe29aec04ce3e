/**
 * The `cis-bot` command as users run it: bin/cis-bot.js over the bundle `npm run build` makes
 * (dist/cli.cjs; `npm ci` builds it), in a real process. What only the real entry shows: the version,
 * no warning a user cannot act on (the AWS SDK's Node-version notice), colour only on request or on a
 * terminal, the code cache written once and reused; and, in-process, --color / NO_COLOR / --quiet.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../adapters/cli/main';
import { version } from '../../package.json';
import { bundledScenario } from '../../src/sandbox-run';
import { cliSink, runProcess } from '../support/cli-process';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'cis-bot.js');
const DEMO = bundledScenario('audit-demo');
const ESC = '\u001b[';

function run(args: string[], env: Record<string, string> = {}) {
  // No AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED here (test/setup-env.js sets it for jest).
  return runProcess(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...env },
  });
}

const home = mkdtempSync(join(tmpdir(), 'cis-bot-entry-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('bin/cis-bot.js', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'cli.cjs'))) throw new Error('dist/cli.cjs is missing: npm run build');
  });

  it('--version prints the package version and exits 0', async () => {
    const r = await run(['--version']);
    expect(r).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it('a sandbox audit prints no warning, no colour in a pipe, and reuses its code cache', async () => {
    const first = await run(['audit', '4.1', '--sandbox', DEMO, '--accounts', '333333333333']);
    expect(first.code).toBe(1);
    expect(first.err).toBe('');
    expect(first.out).toContain('NON-COMPLIANT');
    expect(first.out).not.toContain(ESC);
    const caches = readdirSync(join(home, '.cache', 'cis-bot'));
    expect(caches.filter((f) => f.endsWith('-audit.v8'))).toEqual([
      expect.stringMatching(/^cli-[0-9a-f]{20}-audit\.v8$/),
    ]);
    const second = await run(['audit', '4.1', '--sandbox', DEMO, '--accounts', '333333333333']);
    expect(second).toEqual({ ...first, out: second.out });
    expect(readdirSync(join(home, '.cache', 'cis-bot'))).toEqual(caches);
  });

  it('--color colours the marks of a piped output; NO_COLOR loses to --color', async () => {
    const r = await run(['audit', '4.1', '--sandbox', DEMO, '--accounts', '333333333333', '--color'], {
      NO_COLOR: '1',
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${ESC}31m${ESC}1mNON-COMPLIANT`);
    expect(r.out).toContain(`${ESC}32m✓ pass`);
  });

  it('the demo without a writable temporary folder fails at once, saying what to do', async () => {
    // A read-only root without /tmp: no folder can be made there (here: a "folder" under a file).
    const r = await run(['demo'], { TMPDIR: '/dev/null/tmp' });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'cis-bot: The demo keeps its embedded database in a new temporary folder, and none can be made in ' +
        '/dev/null/tmp (ENOTDIR). Point TMPDIR at a writable folder; in a container with a read-only root, ' +
        'mount one: docker run --read-only --tmpfs /tmp ...\n',
    );
  });

  it('runs without a writable home (no cache, same output)', async () => {
    // A cache folder under a file: neither read nor written.
    const r = await run(['--version'], { HOME: '/nonexistent/home', XDG_CACHE_HOME: '/dev/null/cache' });
    expect(r).toEqual({ code: 0, out: `${version}\n`, err: '' });
    // A folder no mkdir can make (a recursive mkdir used to loop forever there, at exit).
    const proc = await run(['--version'], { HOME: '/nonexistent/home', XDG_CACHE_HOME: '/proc/cis-bot' });
    expect(proc).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });
});

const sink = cliSink;

describe('colour and --quiet (in-process)', () => {
  const audit = ['audit', '4.1', '--sandbox', DEMO, '--accounts', '111111111111,333333333333'];

  it('colours on a terminal unless NO_COLOR or --no-color; never the JSON', async () => {
    const tty = sink({}, true);
    expect(await runCli(audit, tty)).toBe(1);
    expect(tty.out).toContain(ESC);
    for (const [argv, env] of [
      [audit, { NO_COLOR: '1' }],
      [[...audit, '--no-color'], {}],
      [['--no-color', ...audit], {}],
      [[...audit, '--color', '--output', 'json'], {}],
    ] as const) {
      const io = sink(env, true);
      expect(await runCli(argv, io)).toBe(1);
      expect(io.out).not.toContain(ESC);
    }
    const empty = sink({ NO_COLOR: '' }, true);
    await runCli(audit, empty);
    expect(empty.out).toContain(ESC);
  });

  it('--quiet shows only what needs attention, with the same exit codes', async () => {
    const loud = sink();
    const quiet = sink();
    expect(await runCli(audit, loud)).toBe(1);
    expect(await runCli(['--quiet', ...audit], quiet)).toBe(1);
    expect(loud.out).toContain('Compliant: 111111111111 (prod)');
    expect(quiet.out).not.toContain('111111111111');
    expect(quiet.out).not.toContain('CIS 4.1 audit: ');
    expect(quiet.out).toContain('CIS 4.1 NON-COMPLIANT: account 333333333333 (dev)');
    const compliant = sink();
    expect(await runCli([...audit.slice(0, 4), '--accounts', '111111111111', '-q'], compliant)).toBe(0);
    expect(compliant.out).toBe('');
  });
});
