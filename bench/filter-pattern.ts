/**
 * Benchmark of the filter-pattern engine: coverage decisions per second over the test corpus (the
 * CIS v4.0.0 patterns against themselves, re-spelled, and the historical variants), and pattern
 * evaluations per second on ~1000 CloudTrail-shaped events (raw JSON lines, as CloudWatch Logs
 * holds them). Also the cost of hostile patterns (the security review's `%.{0,1000}a.{0,1000}%` family):
 * one decision under the default budget, and one synchronous judging pass over 100 distinct planted
 * filters. Prints its numbers when run directly: `npx tsx bench/filter-pattern.ts`.
 *
 * Decisions are always made (comparePatterns has no result cache): `decisionsPerSecond` runs with the
 * engine's memos of sub-results (parses, explored string classes, field domains) as the corpus leaves
 * them, the `cold` figure clears them before every decision. The decision cache (issue 18) is measured
 * separately: 1,000 accounts holding the corpus's filters, with and without it.
 */
import { getMetricFilterControl, metricFilterControls } from '../src/core/controls';
import { judgeFilter } from '../src/core/evaluate/filter-judge';
import {
  clearEngineMemos,
  comparePatterns,
  DecisionCache,
  matchesEvent,
  matchesLogEvent,
  type Pattern,
  parsePattern,
} from '../src/core/filter-pattern';

const V41 = getMetricFilterControl('4.1').pattern;
/** Every CIS pattern and variant of the control registry. */
const CIS_PATTERNS = metricFilterControls().flatMap((c) => [c.pattern, ...c.variants.map((v) => v.pattern)]);
const HOSTILE = '{ $.errorCode = %.{0,1000}a.{0,1000}% && $.eventName = %[a-z]{0,1000}b{1000}% }';

function corpus(): [string, string][] {
  const pairs: [string, string][] = [];
  for (const p of CIS_PATTERNS) {
    pairs.push([p, p]);
    // Re-spelled: no spaces around operators, the whole body in redundant parentheses.
    const tight = p.replace(/\s*(!=|=|&&|\|\||\(|\)|\{|\})\s*/g, '$1');
    pairs.push([`{((${tight.slice(1, -1)}))}`, p]);
  }
  pairs.push(
    ['{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }', V41],
    [
      '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }',
      V41,
    ],
    [
      '{ ($.errorCode = "*UnauthorizedOperation") && ($.errorCode = "AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
      V41,
    ],
    [V41.replace(' }', ' && ($.eventName != "GetObject") }'), V41],
    ['{ $.eventName = CreateRoute }', '{ $.eventName = CreateRouteTable }'],
    ['?AccessDenied ?UnauthorizedOperation', 'AccessDenied'],
    ['?AccessDenied ?UnauthorizedOperation', V41],
  );
  return pairs;
}

/** A small deterministic PRNG, so every run measures the same events. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const EVENTS: [string, string][] = [
  ['s3.amazonaws.com', 'GetObject'],
  ['s3.amazonaws.com', 'HeadBucket'],
  ['s3.amazonaws.com', 'PutBucketPolicy'],
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['ec2.amazonaws.com', 'RunInstances'],
  ['ec2.amazonaws.com', 'CreateRoute'],
  ['ec2.amazonaws.com', 'CreateRouteTable'],
  ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress'],
  ['iam.amazonaws.com', 'PutRolePolicy'],
  ['iam.amazonaws.com', 'ListRoles'],
  ['kms.amazonaws.com', 'ScheduleKeyDeletion'],
  ['signin.amazonaws.com', 'ConsoleLogin'],
  ['cloudtrail.amazonaws.com', 'StopLogging'],
  ['organizations.amazonaws.com', 'CreateAccount'],
  ['sts.amazonaws.com', 'AssumeRole'],
];
const ERRORS = [
  'AccessDenied',
  'Client.UnauthorizedOperation',
  'AccessDeniedException',
  'ThrottlingException',
];

/** ~1000 CloudTrail management events, about a fifth of them failed calls. */
export function cloudTrailEvents(count = 1000): string[] {
  const random = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const [eventSource, eventName] = pick(EVENTS);
    const root = random() < 0.05;
    const event: Record<string, unknown> = {
      eventVersion: '1.09',
      userIdentity: root
        ? {
            type: 'Root',
            principalId: '111122223333',
            arn: 'arn:aws:iam::111122223333:root',
            accountId: '111122223333',
          }
        : {
            type: random() < 0.7 ? 'AssumedRole' : 'IAMUser',
            principalId: `AROAEXAMPLE${i}:session`,
            arn: `arn:aws:sts::111122223333:assumed-role/Deploy/session-${i}`,
            accountId: '111122223333',
            accessKeyId: `ASIAEXAMPLE${i}`,
            sessionContext: {
              attributes: { creationDate: '2025-01-01T00:00:00Z', mfaAuthenticated: 'false' },
            },
          },
      eventTime: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
      eventSource,
      eventName,
      awsRegion: pick(['us-east-1', 'eu-west-1', 'ap-southeast-2']),
      sourceIPAddress: random() < 0.1 ? 'delivery.logs.amazonaws.com' : `198.51.100.${i % 250}`,
      userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
      requestParameters: { bucketName: `bucket-${i % 17}`, Host: 's3.amazonaws.com' },
      responseElements:
        eventName === 'ConsoleLogin' ? { ConsoleLogin: random() < 0.8 ? 'Success' : 'Failure' } : null,
      additionalEventData:
        eventName === 'ConsoleLogin' ? { MFAUsed: random() < 0.5 ? 'Yes' : 'No' } : undefined,
      requestID: `req-${i.toString(16).padStart(8, '0')}`,
      eventID: `evt-${(i * 7919).toString(16).padStart(12, '0')}`,
      readOnly:
        eventName.startsWith('Describe') || eventName.startsWith('Get') || eventName.startsWith('List'),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '111122223333',
      eventCategory: 'Management',
      tlsDetails: {
        tlsVersion: 'TLSv1.3',
        cipherSuite: 'TLS_AES_128_GCM_SHA256',
        clientProvidedHostHeader: eventSource,
      },
    };
    if (random() < 0.2) {
      event.errorCode = pick(ERRORS);
      event.errorMessage = 'User is not authorized to perform this operation';
    }
    out.push(JSON.stringify(event));
  }
  return out;
}

/** A pause for the collector to finish with the last phase's garbage before the next phase is timed. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 250));
}

/** Runs `fn` repeatedly for at least `ms` milliseconds; returns operations per second. */
function rate(fn: () => number, ms: number): number {
  const start = performance.now();
  let ops = 0;
  let elapsed = 0;
  do {
    ops += fn();
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return Math.round((ops / elapsed) * 1000);
}

/**
 * `accounts` accounts whose log groups hold the corpus's filters (each account spelling them its own
 * way: spacing), judged against the corpus's references: through one DecisionCache, and by deciding
 * every pair (the engine's memos warm in both runs).
 */
function accountsWithSameFilters(
  pairs: readonly [string, string][],
  accounts: number,
): { accounts: number; decisionsWith: number; decisionsWithout: number; msWith: number; msWithout: number } {
  const spelled = (text: string, account: number) => text.replace(/ /g, ' '.repeat(1 + (account % 3)));
  const cache = new DecisionCache();
  let t0 = performance.now();
  for (let a = 0; a < accounts; a++) for (const [c, r] of pairs) cache.compare(spelled(c, a), r);
  const msWith = Math.round(performance.now() - t0);
  t0 = performance.now();
  for (let a = 0; a < accounts; a++) for (const [c, r] of pairs) comparePatterns(spelled(c, a), r);
  const msWithout = Math.round(performance.now() - t0);
  return {
    accounts,
    decisionsWith: cache.stats().misses,
    decisionsWithout: accounts * pairs.length,
    msWith,
    msWithout,
  };
}

export async function benchFilterPattern(): Promise<Record<string, number | string>> {
  const pairs = corpus();
  const patterns: Pattern[] = CIS_PATTERNS.map((p) => parsePattern(p));
  const lines = cloudTrailEvents(1000);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  // Warm-up, so the JIT does not skew the first measurement.
  for (const [c, r] of pairs) comparePatterns(c, r);

  const decisionsPerSecond = rate(() => {
    for (const [c, r] of pairs) comparePatterns(c, r);
    return pairs.length;
  }, 1500);
  // Let the garbage of the decision phase be collected before the evaluation phase is timed.
  await settle();
  const p41 = parsePattern(V41);
  let matched41 = 0;
  for (const l of lines) if (matchesEvent(p41, l)) matched41++;
  const rawEvaluationsPerSecond = rate(() => {
    for (const p of patterns) for (const l of lines) matchesEvent(p, l);
    return patterns.length * lines.length;
  }, 1500);
  const parsedEvaluationsPerSecond = rate(() => {
    for (const p of patterns) for (const e of parsed) matchesLogEvent(p, e);
    return patterns.length * parsed.length;
  }, 1000);
  const parsesPerSecond = rate(() => {
    for (const [c] of pairs) parsePattern(c);
    return pairs.length;
  }, 500);
  let t0 = performance.now();
  const hostile = comparePatterns(HOSTILE, V41);
  const hostileDecisionMs = Math.round(performance.now() - t0);
  // 100 distinct planted filters (distinct canonical forms: no cache hits), judged in one synchronous pass.
  t0 = performance.now();
  let unknown = 0;
  for (let i = 0; i < 100; i++) {
    const j = judgeFilter(`{ $.eventName = %[a-z]{0,1000}b{${900 + i}}% }`, V41);
    if (j.verdict === 'UNKNOWN') unknown++;
  }
  const hostilePassMs = Math.round(performance.now() - t0);
  // Measured last, so the figures above are taken as they always were.
  const coldDecisionsPerSecond = rate(() => {
    for (const [c, r] of pairs) {
      clearEngineMemos();
      comparePatterns(c, r);
    }
    return pairs.length;
  }, 1500);
  const cache = accountsWithSameFilters(pairs, 1000);
  const result = {
    corpusComparisons: pairs.length,
    decisionsPerSecond,
    events: lines.length,
    patterns: patterns.length,
    cis41MatchesIn1000Events: matched41,
    'evaluationsPerSecond (raw JSON lines, parse each time)': rawEvaluationsPerSecond,
    'evaluationsPerSecond (pre-parsed events)': parsedEvaluationsPerSecond,
    parsesPerSecond,
    [`hostileDecisionMs (${hostile.verdict}, default budget)`]: hostileDecisionMs,
    [`hostilePassOf100FiltersMs (${unknown} UNKNOWN)`]: hostilePassMs,
    'decisionsPerSecond (cold: engine memos cleared before every decision)': coldDecisionsPerSecond,
    [`cache: ${cache.accounts} accounts x ${pairs.length} filters, decisions made (with / without cache)`]: `${cache.decisionsWith} / ${cache.decisionsWithout}`,
    [`cache: ${cache.accounts} accounts x ${pairs.length} filters, ms (with / without cache)`]: `${cache.msWith} / ${cache.msWithout}`,
    node: process.version,
  };
  for (const [k, v] of Object.entries(result)) console.log(`${k}: ${v}`);
  return result;
}

if (require.main === module) {
  benchFilterPattern().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
