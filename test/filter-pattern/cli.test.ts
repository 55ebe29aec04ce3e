/** `cis-bot pattern compare|test` through a real commander program with captured I/O. */
import { Command } from 'commander';
import { registerPatternCommands } from '../../adapters/cli/pattern';
import { getMetricFilterControl } from '../../src/core/controls';
import { matchesEvent, parsePattern } from '../../src/core/filter-pattern';

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
}

async function run(args: string[], stdin = ''): Promise<Run> {
  const out: Run = { stdout: '', stderr: '', exitCode: undefined };
  const program = new Command('cis-bot');
  program.exitOverride().configureOutput({
    writeOut: (s) => {
      out.stdout += s;
    },
    writeErr: (s) => {
      out.stderr += s;
    },
  });
  registerPatternCommands(program, {
    stdout: (s) => {
      out.stdout += s;
    },
    stderr: (s) => {
      out.stderr += s;
    },
    stdin: async () => stdin,
    setExitCode: (n) => {
      out.exitCode = n;
    },
  });
  await program.parseAsync(args, { from: 'user' });
  return out;
}

const V12 = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }';

describe('pattern compare', () => {
  it('exits 0 and says EQUIVALENT for a re-spelled CIS 4.1 pattern (default control)', async () => {
    const respelled =
      '{($.eventName!=HeadBucket)&&($.sourceIPAddress!="delivery.logs.amazonaws.com")&&($.errorCode=AccessDenied*)||($.errorCode="*UnauthorizedOperation")}';
    const r = await run(['pattern', 'compare', respelled]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^verdict: EQUIVALENT against the CIS v4\.0\.0 4\.1 pattern/);
    expect(r.stdout).toContain('covers: yes');
  });

  it('prints JSON {verdict, missed, extra} and exits 0 for a BROADER pattern', async () => {
    const r = await run(['pattern', 'compare', V12, '--control', '4.1', '--output', 'json']);
    expect(r.exitCode).toBe(0);
    const body = JSON.parse(r.stdout) as { verdict: string; missed: unknown; extra: Record<string, unknown> };
    expect(body.verdict).toBe('BROADER');
    expect(body.missed).toBeNull();
    expect(String(body.extra.errorCode)).toMatch(/^AccessDenied/);
  });

  it("exits 1 for a BROADER pattern that fires on ordinary calls (the audit's rule), but not with --reference", async () => {
    const v14 =
      '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress != "delivery.logs.amazonaws.com") || ($.eventName != "HeadBucket") }';
    const r = await run(['pattern', 'compare', v14, '--control', '4.1', '--output', 'json']);
    expect(r.exitCode).toBe(1);
    const body = JSON.parse(r.stdout) as { verdict: string; rejected?: string };
    expect(body.verdict).toBe('BROADER');
    expect(body.rejected).toMatch(/ordinary successful calls/);
    const plain = await run([
      'pattern',
      'compare',
      v14,
      '--reference',
      getMetricFilterControl('4.1').pattern,
    ]);
    expect(plain.exitCode).toBe(0);
  });

  it('exits 1 with the missed event for a NARROWER pattern', async () => {
    const narrower = getMetricFilterControl('4.13').pattern.replace(
      '($.eventName = CreateRouteTable) || ',
      '',
    );
    const r = await run(['pattern', 'compare', narrower, '--control', '4.13', '--output', 'json']);
    expect(r.exitCode).toBe(1);
    const body = JSON.parse(r.stdout) as { verdict: string; missed: Record<string, unknown>; extra: unknown };
    expect(body).toMatchObject({ verdict: 'NARROWER', extra: null });
    // The missed event reads like a CloudTrail record: the engine's field first, then the fields
    // CloudTrail always writes (issue 16), and it still proves the verdict.
    expect(Object.keys(body.missed)[0]).toBe('eventName');
    expect(body.missed).toMatchObject({
      eventName: 'CreateRouteTable',
      eventSource: 'ec2.amazonaws.com',
      awsRegion: expect.any(String),
      sourceIPAddress: expect.any(String),
      userIdentity: { type: 'IAMUser', accountId: expect.any(String), arn: expect.any(String) },
      eventType: 'AwsApiCall',
    });
    const line = JSON.stringify(body.missed);
    expect(matchesEvent(parsePattern(getMetricFilterControl('4.13').pattern), line)).toBe(true);
    expect(matchesEvent(parsePattern(narrower), line)).toBe(false);
  });

  it('compares with an explicit --reference pattern', async () => {
    const r = await run([
      'pattern',
      'compare',
      '?AccessDenied ?UnauthorizedOperation',
      '--reference',
      'AccessDenied',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('verdict: BROADER against the reference pattern');
    expect(r.stdout).toContain(
      'extra (the candidate matches it, the reference does not): "UnauthorizedOperation"',
    );
  });

  it('exits 2 and shows the position of a syntax error', async () => {
    const r = await run(['pattern', 'compare', '{ $.errorCode = }']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('candidate pattern: Invalid filter pattern at position 16: expected a value');
    expect(r.stderr).toContain(`\n  { $.errorCode = }\n  ${' '.repeat(16)}^`);
    const j = await run(['pattern', 'compare', '{ $.errorCode = }', '--output', 'json']);
    expect(j.exitCode).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({
      error: 'PATTERN_SYNTAX',
      pattern: 'candidate',
      position: 16,
    });
  });

  it('exits 2 on option mistakes', async () => {
    expect((await run(['pattern', 'compare', V12, '--control', '9.9'])).exitCode).toBe(2);
    expect((await run(['pattern', 'compare', V12, '--control', '4.1', '--reference', 'x'])).stderr).toMatch(
      /not both/,
    );
    expect((await run(['pattern', 'compare', V12, '--output', 'yaml'])).exitCode).toBe(2);
  });
});

describe('pattern test', () => {
  const events = [
    JSON.stringify({ errorCode: 'AccessDenied', sourceIPAddress: '198.51.100.1', eventName: 'GetObject' }),
    JSON.stringify({
      errorCode: 'AccessDenied',
      sourceIPAddress: 'delivery.logs.amazonaws.com',
      eventName: 'PutObject',
    }),
    '',
    JSON.stringify({ errorCode: 'Client.UnauthorizedOperation', eventName: 'RunInstances' }),
    'plain text AccessDenied line',
  ].join('\r\n');

  it('prints the matching lines and a count', async () => {
    const r = await run(['pattern', 'test', getMetricFilterControl('4.1').pattern], events);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      `line 1: ${JSON.stringify({ errorCode: 'AccessDenied', sourceIPAddress: '198.51.100.1', eventName: 'GetObject' })}\n` +
        `line 4: ${JSON.stringify({ errorCode: 'Client.UnauthorizedOperation', eventName: 'RunInstances' })}\n` +
        '2 of 4 events matched\n',
    );
  });

  it('prints JSON and exits 1 when nothing matches', async () => {
    const r = await run(['pattern', 'test', '?NoSuchThing', '--output', 'json'], events);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ total: 4, matched: 0, matches: [] });
    const t = await run(['pattern', 'test', 'AccessDenied -delivery', '--output', 'json'], events);
    expect(JSON.parse(t.stdout)).toMatchObject({ total: 4, matched: 2, matches: [{ line: 1 }, { line: 5 }] });
  });

  it('exits 2 on a pattern that does not parse', async () => {
    const r = await run(['pattern', 'test', '{ $.a = 1'], events);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/position 9/);
  });
});
