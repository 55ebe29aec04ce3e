/**
 * The optional confirmation of metric-filter verdicts with AWS's own evaluator (logs:TestMetricFilter),
 * through the real AWS SDK v3 clients: against the sandbox (which evaluates with our engine, so it agrees),
 * against a loopback "AWS" that disagrees on one kind of event, with AccessDenied on TestMetricFilter, and
 * with a failing call. Plus the pure sample building, the config option and the CLI flag.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { runCli } from '../../adapters/cli/main';
import { runAudit } from '../../src/aws/auditor';
import {
  type AwsConfirmation,
  confirmationSamples,
  confirmPattern,
  referenceExamples,
} from '../../src/aws/confirm-pattern';
import { AwsSession } from '../../src/aws/session';
import { awsSchema } from '../../src/config/schema';
import { getMetricFilterControl, metricFilterControls, readActionsFor } from '../../src/core/controls';
import type { AccountFinding, AuditReport, LinkResult } from '../../src/core/evaluate';
import { matchesLogEvent, parsePattern } from '../../src/core/filter-pattern';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { bundledScenario } from '../../src/sandbox-run';
import { type DisagreeingAws, startDisagreeingAws } from './confirm-proxy';
import { CIS_41, chainAccount, REGION, SECURITY } from './fixtures';

const control = getMetricFilterControl('4.1');
const V12 = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }';
const NARROW = '{ ($.errorCode = "*UnauthorizedOperation") }';

const ids = {
  compliant: '300000000001',
  v12: '300000000002',
  narrow: '300000000003',
  denied: '300000000004',
  otherRegion: '300000000005',
  failing: '300000000006',
  awsMiss: '300000000007',
};
/** Equivalent to the CIS pattern for the engine, and a different text (so the proxy can tell them apart). */
const REORDERED =
  '{($.eventName!=HeadBucket && $.errorCode="AccessDenied*" && $.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.errorCode = *UnauthorizedOperation)}';

describe('confirmation samples (pure)', () => {
  it('for the v1.2 filter: the extra witness, the benign events and reference examples, without duplicates', () => {
    const samples = confirmationSamples(V12, control);
    const roles = samples.map((s) => s.role);
    expect(roles).toContain('extra');
    expect(roles).not.toContain('missed');
    expect(roles.filter((r) => r === 'benign')).toHaveLength(control.benignEvents?.length ?? 0);
    expect(roles).toContain('reference-example');
    const texts = samples.map((s) => JSON.stringify(s.event));
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('for a NARROWER filter: the missed witness comes first', () => {
    expect(confirmationSamples(NARROW, control)[0]?.role).toBe('missed');
  });

  it.each(metricFilterControls().map((c) => [c.id, c.pattern] as const))(
    '%s: reference examples are events the CIS pattern matches, one per || branch (at most 9), built by the engine',
    (_id, pattern) => {
      const examples = referenceExamples(pattern);
      expect(examples.length).toBeGreaterThanOrEqual(1);
      expect(examples.length).toBeLessThanOrEqual(9);
      const p = parsePattern(pattern);
      for (const e of examples) expect(matchesLogEvent(p, e)).toBe(true);
      expect(confirmationSamples(pattern, getMetricFilterControl(_id)).length).toBeLessThanOrEqual(50);
    },
  );

  it('4.1 gets an example for each branch: *UnauthorizedOperation, and AccessDenied* outside delivery.logs/HeadBucket', () => {
    const examples = referenceExamples(CIS_41) as Array<Record<string, unknown>>;
    expect(examples.some((e) => String(e.errorCode).endsWith('UnauthorizedOperation'))).toBe(true);
    expect(examples.some((e) => String(e.errorCode).startsWith('AccessDenied'))).toBe(true);
  });
});

describe('configuration and IAM', () => {
  it('aws.confirm_patterns is off by default and can be turned on', () => {
    expect(awsSchema.parse({}).confirm_patterns).toBe(false);
    expect(awsSchema.parse({ confirm_patterns: true }).confirm_patterns).toBe(true);
  });

  it('adds logs:TestMetricFilter to what the audit reads only when the confirmation is on', () => {
    expect(readActionsFor(control)).not.toContain('logs:TestMetricFilter');
    expect(readActionsFor(control, { confirmPatterns: true })).toEqual([
      ...control.readActions,
      'logs:TestMetricFilter',
    ]);
  });
});

describe('confirmation through the SDK', () => {
  let sandbox: Sandbox;
  let proxy: DisagreeingAws;
  const sessions: AwsSession[] = [];
  const byId = new Map<string, AccountFinding>();
  let report: AuditReport;

  function session(endpoint: string): AwsSession {
    const s = new AwsSession({
      region: REGION,
      credentials: sandbox.credentialsFor(SECURITY),
      clientConfig: { endpoint, maxAttempts: 1 },
    });
    sessions.push(s);
    return s;
  }

  const filterLink = (f: AccountFinding | undefined): LinkResult | undefined =>
    f?.links.find((l) => l.link === 'metric-filter');
  const confirmation = (f: AccountFinding | undefined) =>
    filterLink(f)?.evidence.awsConfirmation as AwsConfirmation | undefined;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: {
        accounts: [
          { id: SECURITY, label: 'security' },
          chainAccount(ids.compliant, 'compliant'),
          chainAccount(ids.v12, 'v1.2', { filterPattern: V12 }),
          chainAccount(ids.narrow, 'narrower', { filterPattern: NARROW }),
          chainAccount(ids.denied, 'TestMetricFilter denied', { deniedActions: ['logs:TestMetricFilter'] }),
          chainAccount(ids.otherRegion, 'chain in us-east-1', { region: 'us-east-1' }),
          chainAccount(ids.failing, 'TestMetricFilter fails'),
        ],
      },
    });
    // The ConsoleLogin benign event: this "AWS" says every pattern matches it, the engine says none does.
    proxy = await startDisagreeingAws(sandbox.endpoint, (m) => m.includes('"signin.amazonaws.com"'));
    sandbox.resetCalls();
    const out = await runAudit({
      control,
      session: session(sandbox.endpoint),
      region: REGION,
      accounts: [ids.compliant, ids.v12, ids.narrow, ids.denied, ids.otherRegion],
      confirmPatterns: true,
    });
    report = out.report;
    for (const f of report.accounts) byId.set(f.accountId, f);
  });

  afterAll(async () => {
    for (const s of sessions) s.destroy();
    await proxy.close();
    await sandbox.close();
  });

  it('agrees with the sandbox (same engine) on a compliant chain: the link stays pass, the outcome is on its evidence', () => {
    const f = byId.get(ids.compliant);
    expect(f?.status).toBe('COMPLIANT');
    expect(filterLink(f)?.status).toBe('pass');
    expect(confirmation(f)).toMatchObject({
      agreed: true,
      disagreements: [],
      pattern: CIS_41,
      accountId: ids.compliant,
      region: REGION,
    });
    expect(confirmation(f)?.tested).toBeGreaterThanOrEqual((control.benignEvents?.length ?? 0) + 2);
  });

  it('calls TestMetricFilter twice (the filter, the CIS pattern) in the log group account and region, and counts the calls', () => {
    const tests = sandbox.calls.filter((c) => c.operation === 'TestMetricFilter');
    expect(tests.filter((c) => c.accountId === ids.compliant)).toHaveLength(2);
    expect(tests.filter((c) => c.accountId === ids.otherRegion).map((c) => c.region)).toEqual([
      'us-east-1',
      'us-east-1',
    ]);
    expect(confirmation(byId.get(ids.otherRegion))).toMatchObject({ agreed: true, region: 'us-east-1' });
    const all = sandbox.calls.filter((c) => c.accountId !== '').length;
    expect(report.stats.apiCalls).toBe(all);
  });

  it('confirms the warning of a BROADER filter and the failure of a NARROWER one without changing them', () => {
    expect(filterLink(byId.get(ids.v12))?.status).toBe('warn');
    expect(confirmation(byId.get(ids.v12))?.agreed).toBe(true);
    const narrow = byId.get(ids.narrow);
    expect(narrow).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'metric-filter' });
    expect(confirmation(narrow)).toMatchObject({ agreed: true, pattern: NARROW });
    // The verdict rested on the missed event; it was among those AWS was asked about.
    expect(narrow?.reason).toBe(filterLink(narrow)?.detail);
  });

  it('records AccessDenied on logs:TestMetricFilter as such and keeps the verdict', () => {
    const f = byId.get(ids.denied);
    expect(f?.status).toBe('COMPLIANT');
    const link = filterLink(f);
    expect(link?.status).toBe('pass');
    expect(link?.detail).toMatch(
      /Not confirmed with AWS: access denied to logs:TestMetricFilter \(grant it to the audit role, or turn off aws\.confirm_patterns\); the engine's verdict stands\.$/,
    );
    expect(confirmation(f)).toMatchObject({
      agreed: null,
      disagreements: [],
      error: { kind: 'access-denied', action: 'logs:TestMetricFilter', code: 'AccessDeniedException' },
    });
  });

  it('records any other TestMetricFilter failure and keeps the verdict', async () => {
    sandbox.failNext('logs:TestMetricFilter', 'ServiceUnavailableException');
    const out = await runAudit({
      control,
      session: session(sandbox.endpoint),
      region: REGION,
      accounts: [ids.failing],
      confirmPatterns: true,
    });
    const f = out.report.accounts[0];
    expect(f?.status).toBe('COMPLIANT');
    expect(filterLink(f)?.status).toBe('pass');
    expect(confirmation(f)).toMatchObject({
      agreed: null,
      error: { kind: 'failed', action: 'logs:TestMetricFilter' },
    });
  });

  it('does not call TestMetricFilter when the confirmation is off (the default)', async () => {
    sandbox.resetCalls();
    const out = await runAudit({
      control,
      session: session(sandbox.endpoint),
      region: REGION,
      accounts: [ids.compliant],
    });
    expect(sandbox.calls.some((c) => c.operation === 'TestMetricFilter')).toBe(false);
    expect(filterLink(out.report.accounts[0])?.evidence).not.toHaveProperty('awsConfirmation');
  });

  it('a disagreeing AWS turns the passing link into warn, names the event and says AWS is the authority', async () => {
    const out = await runAudit({
      control,
      session: session(proxy.endpoint),
      region: REGION,
      accounts: [ids.compliant],
      confirmPatterns: true,
    });
    expect(proxy.answered).toBe(2);
    const f = out.report.accounts[0];
    // A warning never breaks the chain: still compliant, with the warning counted in the reason.
    expect(f?.status).toBe('COMPLIANT');
    expect(f?.reason).toMatch(/Chain holds: .*; 1 warning\(s\)\.$/);
    const link = filterLink(f);
    expect(link?.status).toBe('warn');
    expect(link?.detail).toMatch(
      /^Filter 'unauthorized_api_calls_metric' is equivalent to the CIS 4\.1 pattern; metric CISBenchmark\/unauthorized_api_calls_metric\. AWS's own evaluator \(logs:TestMetricFilter\) disagrees with cis-bot's engine on 1 of \d+ event\(s\): for signin:ConsoleLogin \(a benign event\), AWS says the filter matches, the engine says it does not\. AWS's answer is the authority: check this verdict by hand\.$/,
    );
    const c = confirmation(f);
    expect(c?.agreed).toBe(false);
    expect(c?.disagreements.map((d) => [d.pattern, d.role, d.engine, d.aws])).toEqual([
      ['filter', 'benign', false, true],
      ['reference', 'benign', false, true],
    ]);
    expect(c?.disagreements[0]?.event).toMatchObject({
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
    });
  });
});

describe('AWS says the filter misses an event AWS says the CIS pattern catches', () => {
  let sandbox: Sandbox;
  let proxy: DisagreeingAws;
  let session: AwsSession;
  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: {
        accounts: [
          { id: SECURITY, label: 'security' },
          chainAccount(ids.awsMiss, 'AWS says the filter misses AccessDenied', { filterPattern: REORDERED }),
          chainAccount(ids.compliant, 'compliant'),
        ],
      },
    });
    // This "AWS" evaluates the REORDERED filter as missing every AccessDenied* event; the CIS pattern
    // itself (and every other pattern) it evaluates as the engine does.
    proxy = await startDisagreeingAws(
      sandbox.endpoint,
      (m, pattern) => pattern === REORDERED && m.includes('"errorCode":"AccessDenied'),
    );
    session = new AwsSession({
      region: REGION,
      credentials: sandbox.credentialsFor(SECURITY),
      clientConfig: { endpoint: proxy.endpoint, maxAttempts: 1 },
    });
  });
  afterAll(async () => {
    session.destroy();
    await proxy.close();
    await sandbox.close();
  });

  it('fails the metric-filter link (AWS is the authority): NON_COMPLIANT, the chain ends at the filter', async () => {
    const out = await runAudit({
      control,
      session,
      region: REGION,
      accounts: [ids.awsMiss, ids.compliant],
      confirmPatterns: true,
    });
    const [f, other] = out.report.accounts;
    expect(f).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'metric-filter' });
    expect(f?.links.map((l) => [l.link, l.status])).toEqual([
      ['trail', 'pass'],
      ['logging', 'pass'],
      ['management-events', 'pass'],
      ['log-group', 'pass'],
      ['metric-filter', 'fail'],
    ]);
    expect(f?.reason).toBe(f?.links.at(-1)?.detail);
    expect(f?.reason).toMatch(
      /^Filter 'unauthorized_api_calls_metric' misses events the CIS pattern catches, according to AWS's own evaluator \(logs:TestMetricFilter\): for .*AccessDenied.* \(an example of the CIS pattern\).*, AWS says the CIS pattern matches and the filter does not \(cis-bot's engine judged it EQUIVALENT\)\. AWS's answer is the authority/,
    );
    // The chain stops at the log group: no alarm or topic of a chain that broke before them.
    expect(f?.chain).not.toHaveProperty('alarmName');
    expect(f?.chain).not.toHaveProperty('filterName');
    expect(f?.chain.logGroupName).toBe('cloudtrail');
    const confirmationOf = (x: AccountFinding | undefined) =>
      x?.links.find((l) => l.link === 'metric-filter')?.evidence.awsConfirmation as AwsConfirmation;
    const c = confirmationOf(f);
    expect(c.agreed).toBe(false);
    expect(c.awsMissed?.length).toBeGreaterThan(0);
    expect(c.awsMissed?.every((m) => JSON.stringify(m.event).includes('AccessDenied'))).toBe(true);
    expect(out.report.summary).toMatchObject({ total: 2, compliant: 1, nonCompliant: 1 });
    // The CIS pattern's own text: AWS agrees with the engine, the chain still holds.
    expect(other).toMatchObject({ status: 'COMPLIANT' });
    expect(confirmationOf(other).awsMissed).toEqual([]);
  });
});

describe('a pattern AWS accepts and our parser rejects', () => {
  let sandbox: Sandbox;
  let proxy: DisagreeingAws;
  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: { accounts: [{ id: SECURITY, label: 'security' }] } });
    proxy = await startDisagreeingAws(sandbox.endpoint, () => false);
  });
  afterAll(async () => {
    await proxy.close();
    await sandbox.close();
  });

  it('is a disagreement, not an error: AWS evaluated it, so the SYNTAX_ERROR verdict is ours alone', async () => {
    const creds = sandbox.credentialsFor(SECURITY);
    const logs = new CloudWatchLogsClient({
      region: REGION,
      endpoint: proxy.endpoint,
      credentials: creds,
      maxAttempts: 1,
    });
    try {
      const { confirmation, calls } = await confirmPattern({ pattern: '{ $.errorCode = ', control, logs });
      expect(calls).toBe(2);
      expect(confirmation).toMatchObject({ agreed: false, engineRejectsPattern: true, disagreements: [] });
      expect(confirmation.error).toBeUndefined();
    } finally {
      logs.destroy();
    }
  });
});

describe('cis-bot audit --confirm-patterns', () => {
  it('records the confirmation in the JSON report', async () => {
    const sink = { out: '', err: '', env: {} as NodeJS.ProcessEnv };
    const code = await runCli(
      [
        'audit',
        '4.1',
        '--sandbox',
        bundledScenario('audit-demo'),
        '--accounts',
        '111111111111',
        '--output',
        'json',
        '--confirm-patterns',
      ],
      {
        env: sink.env,
        stdout: (s: string) => {
          sink.out += s;
        },
        stderr: (s: string) => {
          sink.err += s;
        },
      },
    );
    expect(code).toBe(0);
    const report = JSON.parse(sink.out) as AuditReport;
    const link = report.accounts[0]?.links.find((l) => l.link === 'metric-filter');
    expect(link?.evidence.awsConfirmation).toMatchObject({ agreed: true, disagreements: [] });
  });
});

describe('cis-bot pattern compare --confirm-with-aws (a process with the SDK standard chain)', () => {
  const root = join(__dirname, '..', '..');
  const home = mkdtempSync(join(tmpdir(), 'cis-bot-confirm-'));
  let sandbox: Sandbox;
  let proxy: DisagreeingAws;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: { accounts: [{ id: SECURITY, label: 'security' }] } });
    proxy = await startDisagreeingAws(sandbox.endpoint, (m) => m.includes('"signin.amazonaws.com"'));
  });
  afterAll(async () => {
    await proxy.close();
    await sandbox.close();
  });

  function compare(endpoint: string): Promise<{ code: number | null; out: string; err: string }> {
    const creds = sandbox.credentialsFor(SECURITY);
    return new Promise((resolve, reject) => {
      const child = spawn(
        join(root, 'node_modules', '.bin', 'tsx'),
        [
          join(root, 'adapters', 'cli', 'main.ts'),
          'pattern',
          'compare',
          V12,
          '--control',
          '4.1',
          '--output',
          'json',
          '--confirm-with-aws',
        ],
        {
          cwd: home,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: home,
            AWS_EC2_METADATA_DISABLED: 'true',
            AWS_ENDPOINT_URL: endpoint,
            AWS_REGION: REGION,
            AWS_ACCESS_KEY_ID: creds.accessKeyId,
            AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
            AWS_MAX_ATTEMPTS: '1',
          },
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out, err }));
    });
  }

  it('agrees with the sandbox (exit 0) and reports the disagreeing AWS (exit 1: AWS is the authority)', async () => {
    const [agree, disagree] = await Promise.all([compare(sandbox.endpoint), compare(proxy.endpoint)]);
    expect(agree.code).toBe(0);
    expect(JSON.parse(agree.out)).toMatchObject({ verdict: 'BROADER', awsConfirmation: { agreed: true } });
    expect(disagree.code).toBe(1);
    const report = JSON.parse(disagree.out) as { verdict: string; awsConfirmation: AwsConfirmation };
    expect(report.verdict).toBe('BROADER');
    expect(report.awsConfirmation.agreed).toBe(false);
    expect(report.awsConfirmation.disagreements.map((d) => [d.pattern, d.role, d.engine, d.aws])).toEqual([
      ['filter', 'benign', false, true],
      ['reference', 'benign', false, true],
    ]);
  });
});
