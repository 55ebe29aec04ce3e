/**
 * The judge's rule for metric filters that catch MORE than the CIS pattern. A BROADER filter is fine (a
 * warning) until the extra is everyday activity: a pattern that matches every event, or one that fires on
 * the control's benign events (ordinary successful calls), makes the alarm useless, so it FAILS. The peers'
 * text regexes pass exactly these (shared/CIS-4.md). Pure checks first, then the real AWS SDK v3 clients
 * against the sandbox, one account per historical 4.1 pattern.
 */
import { runAudit } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { getMetricFilterControl, metricFilterControls } from '../../src/core/controls';
import type { AccountFinding } from '../../src/core/evaluate';
import {
  closeness,
  EVERY_CLOUDTRAIL_EVENT,
  judgeFilter,
  MATCHES_EVERYTHING_DETAIL,
  matchesEveryEvent,
} from '../../src/core/evaluate/filter-judge';
import { decisionCache, matchesLogEvent, parsePattern } from '../../src/core/filter-pattern';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { HAD_FULL_300_MS, skewedClock, slowWallClock } from '../filter-pattern/helpers';
import { CIS_41, chainAccount, REGION, SECURITY } from './fixtures';

const control41 = getMetricFilterControl('4.1');
const benign41 = control41.benignEvents ?? [];

/** CIS v1.4.0/v1.5.0: all four clauses joined with `||`. */
const V14 =
  '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress != "delivery.logs.amazonaws.com") || ($.eventName != "HeadBucket") }';
/** CIS v1.2.0 (and Security Hub CloudWatch.2): the two errorCode clauses only. */
const V12 = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }';
/** All four clauses joined with `&&`: only an errorCode that starts with AccessDenied AND ends with UnauthorizedOperation. */
const ALL_AND =
  '{ ($.errorCode = "*UnauthorizedOperation") && ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }';
/** The v4.0.0 pattern, rewritten: branches swapped, conditions reordered, quotes dropped, redundant parentheses. */
const EQUIVALENT_REWRITE =
  '{ ((($.errorCode = AccessDenied*) && ($.eventName != HeadBucket) && ($.sourceIPAddress != delivery.logs.amazonaws.com))) || (($.errorCode = "*UnauthorizedOperation")) }';
/**
 * The security review's hostile filter: valid, and ~18 s of synchronous engine time to decide without a
 * deadline (anyone with logs:PutMetricFilter on an audited log group can plant 100 of them).
 */
const HOSTILE = '{ $.errorCode = %.{0,1000}a.{0,1000}% && $.eventName = %[a-z]{0,1000}b{1000}% }';
/** A distinct hostile pattern per `n` (different canonical forms, so no cache hit between them). */
const hostile = (n: number) => `{ $.eventName = %[a-z]{0,1000}b{${900 + n}}% }`;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('judgeFilter: which BROADER filters are acceptable (pure)', () => {
  it('accepts the CIS pattern and an equivalent rewrite of it without reservation', () => {
    for (const p of [CIS_41, EQUIVALENT_REWRITE]) {
      const j = judgeFilter(p, CIS_41, benign41);
      expect(j).toMatchObject({ verdict: 'EQUIVALENT', covers: true, missed: null, extra: null });
      expect(j.rejection).toBeUndefined();
    }
  });

  it('rejects the v1.4 all-|| pattern: BROADER, but `sourceIPAddress != delivery.logs` alone fires on ec2:DescribeInstances', () => {
    const j = judgeFilter(V14, CIS_41, benign41);
    expect(j.verdict).toBe('BROADER');
    expect(j.covers).toBe(false);
    expect(j.rejection?.reason).toBe('fires-on-benign');
    expect(j.rejection?.detail).toBe(
      'also fires on ordinary successful calls such as ec2:DescribeInstances and s3:GetObject; the alarm would drown real findings',
    );
    // The named examples really are matched by the filter, and by not the CIS pattern.
    const v14 = parsePattern(V14);
    const cis = parsePattern(CIS_41);
    for (const e of j.rejection?.benignExamples ?? []) {
      expect(matchesLogEvent(v14, e)).toBe(true);
      expect(matchesLogEvent(cis, e)).toBe(false);
    }
    // v1.4 is not literally match-all: an event from delivery.logs about HeadBucket without errorCode escapes it.
    expect(matchesEveryEvent(V14)).toBe(false);
  });

  it('accepts the v1.2 pattern with a warning: its extra is AccessDenied noise (delivery.logs, HeadBucket), never a successful call', () => {
    const j = judgeFilter(V12, CIS_41, benign41);
    expect(j).toMatchObject({ verdict: 'BROADER', covers: true, missed: null });
    expect(j.rejection).toBeUndefined();
    // The extra example is an AccessDenied the CIS pattern deliberately leaves out.
    expect(j.extra).toMatchObject({ errorCode: expect.stringMatching(/^AccessDenied/) });
    for (const e of benign41) expect(matchesLogEvent(parsePattern(V12), e)).toBe(false);
  });

  it('rejects the four clauses joined with && : NARROWER, it only catches errorCodes like AccessDenied...UnauthorizedOperation', () => {
    const j = judgeFilter(ALL_AND, CIS_41, benign41);
    expect(j.verdict).toBe('NARROWER');
    expect(j.covers).toBe(false);
    expect(j.missed).not.toBeNull();
    expect(j.rejection).toBeUndefined();
  });

  it.each([
    ['the empty pattern (AWS: matches every event)', ''],
    ['any event with an eventName', '{ $.eventName = * }'],
    ['CIS pattern OR any event with a source IP', `{ ${CIS_41.slice(1, -1)} || ($.sourceIPAddress = *) }`],
    ['a term present in every record', '{ $.eventVersion = * || $.eventVersion NOT EXISTS }'],
  ])('rejects a filter that matches every CloudTrail event: %s', (_label, pattern) => {
    expect(matchesEveryEvent(pattern)).toBe(true);
    const j = judgeFilter(pattern, CIS_41, benign41);
    expect(j.covers).toBe(false);
    expect(j.rejection).toEqual({ reason: 'matches-everything', detail: MATCHES_EVERYTHING_DETAIL });
  });

  it('still rejects a match-all filter when the control declares no benign events (the engine decides it alone)', () => {
    expect(judgeFilter('{ $.eventName = * }', CIS_41).rejection?.reason).toBe('matches-everything');
  });

  it('accepts BROADER filters whose extra is only failed calls, with a warning', () => {
    // Any error at all: noisy (throttling, NoSuchKey...) but every event it adds is a failure, not everyday success.
    const j = judgeFilter('{ $.errorCode = * }', CIS_41, benign41);
    expect(j).toMatchObject({ verdict: 'BROADER', covers: true });
    expect(matchesEveryEvent('{ $.errorCode = * }')).toBe(false);
  });

  it('does not call the CIS pattern itself or a NARROWER filter "match-all"', () => {
    expect(matchesEveryEvent(CIS_41)).toBe(false);
    expect(matchesEveryEvent(EVERY_CLOUDTRAIL_EVENT)).toBe(true);
    expect(matchesEveryEvent('{ $.errorCode = "*UnauthorizedOperation" }')).toBe(false);
  });

  it('ranks a too-broad filter above one that misses events, below an accepted one', () => {
    const accepted = judgeFilter(V12, CIS_41, benign41);
    const tooBroad = judgeFilter(V14, CIS_41, benign41);
    const narrower = judgeFilter(ALL_AND, CIS_41, benign41);
    expect(closeness(accepted)).toBeGreaterThan(closeness(tooBroad));
    expect(closeness(tooBroad)).toBeGreaterThan(closeness(narrower));
  });

  it('1,000 accounts with the same filters cost one engine decision per distinct filter (process-wide cache)', () => {
    // Filters no other test here uses, spelled differently from account to account.
    const filters = [
      '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.eventName != "HeadBucket") && ($.eventName != "ListBuckets") }',
      '{ $.errorCode = "AccessDenied*" || $.errorCode = "*UnauthorizedOperation" || $.errorCode = "Forbidden" }',
    ];
    const spell = (f: string, account: number) =>
      account % 3 === 0 ? f : account % 3 === 1 ? f.replace(/ /g, '  ') : `{(${f.trim().slice(1, -1)})}`;
    const before = decisionCache.stats();
    const verdicts = new Set<string>();
    for (let account = 0; account < 1000; account++) {
      // Half the accounts are judged with other benign events: another judgement, still no new decision.
      const benign = account % 2 === 0 ? benign41 : benign41.slice(1);
      for (const f of filters)
        verdicts.add(`${f}: ${judgeFilter(spell(f, account), CIS_41, benign).verdict}`);
    }
    const after = decisionCache.stats();
    // Each filter: one decision against the CIS pattern, one against "every CloudTrail event" (not EQUIVALENT).
    expect(after.misses - before.misses).toBe(filters.length * 2);
    expect(verdicts.size).toBe(filters.length);
    expect(after.size).toBeLessThanOrEqual(after.capacity);
  });

  it('keys its memo on the benign events too: the same pattern without them is judged again', () => {
    expect(judgeFilter(V14, CIS_41, benign41).covers).toBe(false);
    expect(judgeFilter(V14, CIS_41).covers).toBe(true);
  });
});

describe('judgeFilter under a time budget (security review: hostile metric filters)', () => {
  // Each test starts a fresh synchronous stretch (the pass budget resets once the event loop gets a turn).
  afterEach(nextTurn);

  describe('a costly filter alone', () => {
    // Each must run out of its CPU budget (kept), never be stalled by a busy host (kept nowhere).
    let clock: jest.SpyInstance;
    beforeEach(() => {
      clock = slowWallClock();
    });
    afterEach(() => clock.mockRestore());

    it('judges the review pattern UNKNOWN, "decision took too long": the link FAILS with that note', () => {
      const j = judgeFilter(HOSTILE, CIS_41, benign41);
      expect(j).toMatchObject({ verdict: 'UNKNOWN', covers: false });
      expect(j.note).toMatch(/^decision took too long: stopped after 300 ms of engine time while /);
      expect(j.rejection).toBeUndefined();
      expect(closeness(j)).toBe(closeness({ verdict: 'UNKNOWN', covers: false, missed: null, extra: null }));
    });

    it.each([
      ['a term-pattern variant', '%[a-z]{0,1000}b{1000}%'],
      ['a one-field variant', '{ $.eventName = %[a-z]{0,1000}b{1000}% }'],
    ])('judges %s UNKNOWN too', (_label, pattern) => {
      const j = judgeFilter(pattern, CIS_41, benign41);
      expect(j).toMatchObject({ verdict: 'UNKNOWN', covers: false });
      expect(j.note).toMatch(/^decision took too long/);
    });

    it('keys its cache on the canonical pattern: spacing and parenthesis variants are one entry', () => {
      const j = judgeFilter(HOSTILE, CIS_41, benign41);
      for (const variant of [
        HOSTILE.replace(' && ', '  &&  '),
        `{(${HOSTILE.slice(1, -1).trim()})}`,
        '{$.errorCode=%.{0,1000}a.{0,1000}%&&$.eventName=%[a-z]{0,1000}b{1000}%}',
      ]) {
        expect(judgeFilter(variant, CIS_41, benign41)).toBe(j);
      }
      const rewrite = judgeFilter(EQUIVALENT_REWRITE, CIS_41, benign41);
      expect(judgeFilter(EQUIVALENT_REWRITE.replace(/ /g, '   '), CIS_41, benign41)).toBe(rewrite);
      expect(rewrite.verdict).toBe('EQUIVALENT');
    });

    it('does not decide a pattern that ran out of time again, against any control', () => {
      const first = judgeFilter(HOSTILE, CIS_41, benign41);
      for (const id of ['4.3', '4.4', '4.5']) {
        const c = getMetricFilterControl(id);
        const j = judgeFilter(HOSTILE, c.pattern, c.benignEvents);
        expect(j).toMatchObject({ verdict: 'UNKNOWN', covers: false, note: first.note });
      }
    });
  });

  it('bounds a synchronous pass over many costly filters; patterns cut short are decided again later', async () => {
    // One synchronous pass, as an audit of a log group holding planted filters runs it.
    const pass = Array.from(
      { length: 8 },
      (_, i) => [hostile(i), judgeFilter(hostile(i), CIS_41, benign41)] as const,
    );
    for (const [, j] of pass) {
      expect(j).toMatchObject({ verdict: 'UNKNOWN', covers: false });
      expect(j.note).toMatch(/^decision took too long/);
    }
    // The first ones got the full budget; once the pass had spent its budget, the rest got the floor.
    // (The pass is charged by the smaller of CPU and wall time, so these tests keep the real wall clock.)
    expect(pass[0]?.[1].note).toMatch(HAD_FULL_300_MS);
    const cutShort = pass.filter(([, j]) => j.note?.includes('was used up by other filters'));
    expect(cutShort.length).toBeGreaterThan(0);
    expect(cutShort[0]?.[1].note).toMatch(
      /^decision took too long: the engine's time for this audit pass \(1000 ms\) was used up by other filters, so this one got \d+ ms; it is decided again on the next audit$/,
    );
    // Not cached: on a later turn of the event loop it gets its own full budget.
    await nextTurn();
    const [pattern] = cutShort[cutShort.length - 1] as (typeof pass)[number];
    expect(judgeFilter(pattern, CIS_41, benign41).note).toMatch(HAD_FULL_300_MS);
  });

  it("ordinary filters do not use up a pass's budget: after 800 of them a costly one still gets its full 300 ms", () => {
    // Each ordinary judgement decides within the floor (a few ms), which every judgement gets anyway; the
    // pass used to be charged those ms too, and a cold audit worker on a busy host spent the budget on
    // the section's own patterns, failing later ones as UNKNOWN. 800 distinct filters took ~1.4 s here.
    const ordinary = Array.from({ length: 800 }, (_, i) =>
      judgeFilter(
        `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied${i}*") }`,
        CIS_41,
      ),
    );
    expect(ordinary.filter((j) => j.verdict === 'UNKNOWN')).toEqual([]);
    expect(judgeFilter(hostile(100), CIS_41, benign41).note).toMatch(HAD_FULL_300_MS);
  });
});

describe('benign events (control data)', () => {
  const every = parsePattern(EVERY_CLOUDTRAIL_EVENT);

  it.each(metricFilterControls().map((c) => [c.id, c] as const))(
    '%s: CloudTrail-shaped successful calls its own CIS pattern does not match',
    (_id, c) => {
      const events = c.benignEvents ?? [];
      expect(events.length).toBeGreaterThanOrEqual(3);
      const reference = parsePattern(c.pattern);
      for (const e of events) {
        expect(e).not.toHaveProperty('errorCode');
        expect(matchesLogEvent(every, e)).toBe(true);
        expect(matchesLogEvent(reference, e)).toBe(false);
      }
      // So the CIS pattern is never rejected by its own data.
      expect(judgeFilter(c.pattern, c.pattern, events).covers).toBe(true);
    },
  );

  /** `{ extra || <the CIS pattern> }`: the CIS filter widened by one clause (`&&` binds tighter, so it stays intact). */
  const widened = (id: string, extra: string) =>
    `{ (${extra}) || ${getMetricFilterControl(id).pattern.trim().slice(1, -1)} }`;

  it.each([
    ['4.4', widened('4.4', '$.eventSource = iam.amazonaws.com'), 'iam:GetPolicy'],
    [
      '4.4',
      '{ ($.eventName = Delete*) || ($.eventName = Put*) || ($.eventName = Create*) || ($.eventName = Attach*) || ($.eventName = Detach*) }',
      'logs:CreateLogStream',
    ],
    ['4.5', widened('4.5', '$.eventSource = cloudtrail.amazonaws.com'), 'cloudtrail:DescribeTrails'],
    ['4.7', '{ $.eventSource = kms.amazonaws.com }', 'kms:Decrypt'],
    [
      '4.8',
      '{ ($.eventSource = s3.amazonaws.com) && ($.eventName = Put* || $.eventName = Delete*) }',
      's3:PutObject',
    ],
    ['4.8', '{ ($.eventSource = s3.amazonaws.com) && ($.eventName = *Bucket*) }', 's3:GetBucketPolicy'],
    [
      '4.9',
      '{ ($.eventSource = config.amazonaws.com) && ($.eventName = Put* || $.eventName = Stop* || $.eventName = Delete*) }',
      'config:PutEvaluations',
    ],
    ['4.13', '{ $.eventName = *Route* }', 'ec2:DescribeRouteTables'],
  ])('%s: the BROADER filter %s fires on %s and fails', (id, pattern, call) => {
    const c = getMetricFilterControl(id);
    const j = judgeFilter(pattern, c.pattern, c.benignEvents);
    expect(j.verdict).toBe('BROADER');
    expect(j.covers).toBe(false);
    expect(j.rejection?.benignCalls).toContain(call);
    expect(j.rejection?.detail).toContain(call);
  });
});

describe('4.1 through the SDK against the sandbox: historical patterns', () => {
  const ids = {
    v14: '200000000001',
    v12: '200000000002',
    rewrite: '200000000003',
    allAnd: '200000000004',
    eventName: '200000000005',
    empty: '200000000006',
    both: '200000000007',
    hostile: '200000000008',
    hostileBeside: '200000000009',
  };
  let sandbox: Sandbox;
  let session: AwsSession;
  const byId = new Map<string, AccountFinding>();

  beforeAll(async () => {
    const both = chainAccount(ids.both, 'match-all beside the CIS filter');
    const lg = both.regions?.[REGION]?.log_groups?.[0];
    lg?.metric_filters?.push({
      name: 'everything',
      pattern: '{ $.eventName = * }',
      metric_name: 'all_events',
      metric_namespace: 'Activity',
    });
    const hostileBeside = chainAccount(ids.hostileBeside, 'hostile filters beside the CIS filter');
    const hlg = hostileBeside.regions?.[REGION]?.log_groups?.[0];
    for (const [i, pattern] of [HOSTILE, hostile(50), hostile(51)].entries()) {
      hlg?.metric_filters?.push({
        name: `planted-${i}`,
        pattern,
        metric_name: `planted_${i}`,
        metric_namespace: 'Planted',
      });
    }
    sandbox = await startSandbox({
      scenario: {
        accounts: [
          { id: SECURITY, label: 'security' },
          chainAccount(ids.v14, 'v1.4', { filterPattern: V14 }),
          chainAccount(ids.v12, 'v1.2', { filterPattern: V12 }),
          chainAccount(ids.rewrite, 'rewrite', { filterPattern: EQUIVALENT_REWRITE }),
          chainAccount(ids.allAnd, 'all &&', { filterPattern: ALL_AND }),
          chainAccount(ids.eventName, 'eventName = *', { filterPattern: '{ $.eventName = * }' }),
          chainAccount(ids.empty, 'empty pattern', { filterPattern: '' }),
          both,
          chainAccount(ids.hostile, 'hostile pattern', { filterPattern: HOSTILE }),
          hostileBeside,
        ],
      },
    });
    session = new AwsSession({
      region: REGION,
      credentials: sandbox.credentialsFor(SECURITY),
      clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
    });
    const out = await runAudit({ control: control41, session, region: REGION, accounts: Object.values(ids) });
    for (const f of out.report.accounts) byId.set(f.accountId, f);
  });

  afterAll(async () => {
    session.destroy();
    await sandbox.close();
  });

  it('a planted hostile filter FAILS as UNKNOWN, "decision took too long", and does not stall the audit', () => {
    const f = byId.get(ids.hostile);
    expect(f).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'metric-filter' });
    const evidence = filterLink(ids.hostile)?.evidence as { filters: Array<Record<string, unknown>> };
    expect(evidence.filters[0]).toMatchObject({
      pattern: HOSTILE,
      verdict: 'UNKNOWN',
      note: expect.stringMatching(/^decision took too long/),
    });
  });

  it('hostile filters planted beside the CIS filter do not hide it: the CIS filter completes the chain', () => {
    expect(byId.get(ids.hostileBeside)?.status).toBe('COMPLIANT');
    expect(filterLink(ids.hostileBeside)).toMatchObject({
      status: 'pass',
      evidence: { filterName: 'unauthorized_api_calls_metric', verdict: 'EQUIVALENT' },
    });
  });

  const filterLink = (id: string) => byId.get(id)?.links.find((l) => l.link === 'metric-filter');

  it('v1.4 (all ||) FAILS: it fires on ordinary successful calls such as ec2:DescribeInstances', () => {
    const f = byId.get(ids.v14);
    expect(f).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'metric-filter' });
    expect(f?.reason).toBe(
      "Metric filter 'unauthorized_api_calls_metric' on log group cloudtrail (account 200000000001, eu-west-2) catches every CIS 4.1 event but also fires on ordinary successful calls such as ec2:DescribeInstances and s3:GetObject; the alarm would drown real findings.",
    );
    const evidence = filterLink(ids.v14)?.evidence as { filters: Array<Record<string, unknown>> };
    expect(evidence.filters[0]).toMatchObject({
      verdict: 'BROADER',
      rejection: {
        reason: 'fires-on-benign',
        benignCalls: expect.arrayContaining(['ec2:DescribeInstances', 's3:GetObject']),
      },
    });
  });

  it('v1.2 (two errorCode clauses) PASSES with a warning showing the extra AccessDenied noise', () => {
    const f = byId.get(ids.v12);
    expect(f?.status).toBe('COMPLIANT');
    expect(f?.reason).toMatch(/Chain holds.*; 1 warning\(s\)\.$/);
    const link = filterLink(ids.v12);
    expect(link?.status).toBe('warn');
    expect(link?.detail).toMatch(
      /catches every CIS 4\.1 event and more \(BROADER; e\.g\. \{"errorCode":"AccessDenied/,
    );
    expect(link?.evidence).toMatchObject({
      verdict: 'BROADER',
      extraExample: { errorCode: expect.any(String) },
    });
  });

  it('an EQUIVALENT rewrite (reordered, unquoted, extra parentheses) PASSES without a warning', () => {
    expect(byId.get(ids.rewrite)?.status).toBe('COMPLIANT');
    expect(filterLink(ids.rewrite)).toMatchObject({ status: 'pass', evidence: { verdict: 'EQUIVALENT' } });
  });

  it('the four clauses joined with && FAIL: NARROWER, with the missed event', () => {
    const f = byId.get(ids.allAnd);
    expect(f).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'metric-filter' });
    expect(f?.reason).toMatch(/closest is 'unauthorized_api_calls_metric', NARROWER: it misses \{/);
  });

  it.each([
    ['{ $.eventName = * }', ids.eventName],
    ['the empty pattern', ids.empty],
  ])('a match-all filter (%s) FAILS: the alarm would fire on all activity', (_label, id) => {
    const f = byId.get(id);
    expect(f).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'metric-filter' });
    expect(f?.reason).toContain(`catches every CIS 4.1 event but ${MATCHES_EVERYTHING_DETAIL}.`);
  });

  it('a match-all filter next to the CIS filter does not hide it: the CIS filter completes the chain', () => {
    const f = byId.get(ids.both);
    expect(f?.status).toBe('COMPLIANT');
    expect(filterLink(ids.both)).toMatchObject({
      status: 'pass',
      evidence: { filterName: 'unauthorized_api_calls_metric' },
    });
    // The collector did not read the rejected filter's alarms (its metric cannot complete a chain).
    const reads = sandbox.calls.filter(
      (c) => c.operation === 'DescribeAlarmsForMetric' && c.accountId === ids.both,
    );
    expect(reads).toHaveLength(1);
  });
});

describe('a judgement whose decision the host kept from running (wall-clock cap before the CPU budget)', () => {
  // Installed for this describe's tests only (a spy made in the describe's body would be in place from
  // the file's start, under every test before it).
  let clock: ReturnType<typeof skewedClock>;
  beforeAll(() => {
    clock = skewedClock();
  });
  afterAll(() => clock.spy.mockRestore());

  it('is kept nowhere: the next audit decides it again (a busy minute must not fail a filter for good)', () => {
    const pattern = hostile(55);
    clock.step(50); // each read of the clock 50 ms later: the wall cap passes in a few checks
    const stalled = judgeFilter(pattern, CIS_41, benign41);
    clock.step(0);
    clock.slow(10); // what follows must use up its CPU budget however busy the host is
    expect(stalled).toMatchObject({ verdict: 'UNKNOWN', covers: false });
    expect(stalled.note).toMatch(
      /^decision took too long: the host was too busy to give it 300 ms of engine time within 900 ms while .*; it is decided again on the next audit$/,
    );
    const decided = judgeFilter(pattern, CIS_41, benign41);
    expect(decided.note).toMatch(/^decision took too long: stopped after 300 ms of engine time/);
    // A pattern that used up its CPU budget is kept: not decided again, against any control.
    expect(judgeFilter(pattern, CIS_41, benign41)).toBe(decided);
    const c = getMetricFilterControl('4.3');
    expect(judgeFilter(pattern, c.pattern, c.benignEvents).note).toBe(decided.note);
  });
});
