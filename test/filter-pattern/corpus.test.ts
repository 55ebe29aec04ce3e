/**
 * The corpus of issue 4 part 6: expected verdicts for the CIS v4.0.0 section-4 patterns (every pattern
 * and variant of the control registry) and the historical / broken variants, each witness replayed
 * through the evaluator.
 */
import { getMetricFilterControl, metricFilterControls } from '../../src/core/controls';
import {
  comparePatterns,
  covers,
  matchesEvent,
  parsePattern,
  printPattern,
} from '../../src/core/filter-pattern';
import { expectVerifiedWitnesses, line, respell, SPELLINGS } from './helpers';

const V4_41 = getMetricFilterControl('4.1').pattern;
const SECTION_4: [string, string][] = metricFilterControls().flatMap((c) => [
  [c.id, c.pattern] as [string, string],
  ...c.variants.map((v): [string, string] => [`${c.id} (${v.name} variant)`, v.pattern]),
]);

function compare(candidate: string, reference: string) {
  // No time budget: these pin verdicts, not speed (a loaded CI machine turned a budgeted decision UNKNOWN;
  // the budget itself is tested in the deadline suites).
  const result = comparePatterns(candidate, reference, { deadlineMs: Number.POSITIVE_INFINITY });
  expectVerifiedWitnesses(candidate, reference, result);
  return result;
}

describe('the CIS v4.0.0 section-4 patterns', () => {
  it('has every control pattern and the 4.2 SSO variant', () => {
    expect(SECTION_4.map(([id]) => id)).toEqual(expect.arrayContaining(['4.1', '4.2', '4.2 (SSO variant)']));
  });

  it.each(SECTION_4)('%s is EQUIVALENT to itself and to its canonical print', (_id, text) => {
    expect(compare(text, text).verdict).toBe('EQUIVALENT');
    expect(compare(printPattern(parsePattern(text)), text).verdict).toBe('EQUIVALENT');
  });

  it.each(SECTION_4)(
    '%s is EQUIVALENT when re-spaced, re-quoted, reordered and re-parenthesised',
    (_id, text) => {
      for (const spelling of SPELLINGS) {
        const other = respell(text, spelling);
        expect(other).not.toBe(text);
        const result = compare(other, text);
        expect({ other, verdict: result.verdict }).toEqual({ other, verdict: 'EQUIVALENT' });
        expect(covers(result)).toBe(true);
      }
    },
  );

  it('the SSO variant of 4.2 is NARROWER than 4.2 (it only counts successful IAM-user logins)', () => {
    const sso = getMetricFilterControl('4.2').variants.find((v) => v.name === 'SSO')?.pattern ?? '';
    const result = compare(sso, getMetricFilterControl('4.2').pattern);
    expect(result.verdict).toBe('NARROWER');
    expect(result.missed).toMatchObject({ eventName: 'ConsoleLogin' });
  });
});

describe('4.1 across CIS versions', () => {
  // v4 reads  U || (A && src != delivery.logs && eventName != HeadBucket)   (&& binds tighter than ||)
  const V12 = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }';
  const V14 =
    '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }';
  const ALL_AND =
    '{ ($.errorCode = "*UnauthorizedOperation") && ($.errorCode = "AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }';

  it('v1.2 (U || A) is BROADER than v4: it also counts the AccessDenied noise v4 excludes', () => {
    // v1.2 = U || A contains v4 = U || (A && ...): every v4 event matches v1.2. The converse fails
    // exactly for AccessDenied* events from delivery.logs.amazonaws.com or on HeadBucket (or with
    // either field absent, since != on an absent field does not match). So v1.2 passes the 4.1 check.
    const result = compare(V12, V4_41);
    expect(result.verdict).toBe('BROADER');
    expect(covers(result)).toBe(true);
    const extra = result.extra as Record<string, unknown>;
    expect(String(extra.errorCode).startsWith('AccessDenied')).toBe(true);
    // And v4 is NARROWER than v1.2 (what Security Hub CloudWatch.2 demands), so v4 fails that check.
    expect(compare(V4_41, V12).verdict).toBe('NARROWER');
  });

  it('v1.4 (all four clauses joined with ||) is BROADER: it fires on nearly every event', () => {
    const result = compare(V14, V4_41);
    expect(result.verdict).toBe('BROADER');
    const ordinary = { eventName: 'DescribeInstances', sourceIPAddress: '203.0.113.7' };
    expect(matchesEvent(parsePattern(V14), JSON.stringify(ordinary))).toBe(true);
    expect(matchesEvent(parsePattern(V4_41), JSON.stringify(ordinary))).toBe(false);
  });

  it('all four clauses joined with && is NARROWER: only errorCodes both starting AccessDenied and ending UnauthorizedOperation', () => {
    const result = compare(ALL_AND, V4_41);
    expect(result.verdict).toBe('NARROWER');
    expect(covers(result)).toBe(false);
    // Exactly what it matches: "AccessDenied*" and "*UnauthorizedOperation" overlap only in strings
    // of the form AccessDenied...UnauthorizedOperation (the two literals cannot share characters),
    // with a present sourceIPAddress other than delivery.logs and a present eventName other than HeadBucket.
    const exact =
      '{ $.errorCode = "AccessDenied*UnauthorizedOperation" && $.sourceIPAddress != "delivery.logs.amazonaws.com" && $.eventName != "HeadBucket" }';
    expect(compare(ALL_AND, exact).verdict).toBe('EQUIVALENT');
    // No real AWS error code has that shape, so in practice it never fires.
    const p = parsePattern(ALL_AND);
    for (const errorCode of ['AccessDenied', 'Client.UnauthorizedOperation', 'AccessDeniedException']) {
      expect(
        matchesEvent(p, JSON.stringify({ errorCode, sourceIPAddress: '1.2.3.4', eventName: 'GetObject' })),
      ).toBe(false);
    }
  });

  it('an extra exclusion makes a pattern NARROWER, with the excluded event as the missed example', () => {
    const withExclusion = V4_41.replace(' }', ' && ($.eventName != "GetObject") }');
    const result = compare(withExclusion, V4_41);
    expect(result.verdict).toBe('NARROWER');
    expect(result.missed).toMatchObject({ eventName: 'GetObject' });
    expect(String((result.missed as Record<string, unknown>).errorCode)).toMatch(/^AccessDenied/);
  });

  it('dropping an exclusion makes a pattern BROADER (it still covers 4.1)', () => {
    const result = compare(
      '{ $.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*" && $.eventName != "HeadBucket" }',
      V4_41,
    );
    expect(result.verdict).toBe('BROADER');
    // The extra event is an AccessDenied* call that v4 excludes: from delivery.logs, or without any
    // sourceIPAddress at all (v4's != needs the field to be present).
    const extra = result.extra as Record<string, unknown>;
    expect(String(extra.errorCode)).toMatch(/^AccessDenied/);
    expect([undefined, 'delivery.logs.amazonaws.com']).toContain(extra.sourceIPAddress);
  });

  it('the precedence trap: parenthesising the || first gives a different, NARROWER pattern', () => {
    const misread =
      '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }';
    const result = compare(misread, V4_41);
    expect(result.verdict).toBe('NARROWER');
    expect(String((result.missed as Record<string, unknown>).errorCode)).toMatch(/UnauthorizedOperation$/);
  });
});

describe('names that are prefixes of other names', () => {
  const V4_413 = getMetricFilterControl('4.13').pattern;

  it('CreateRoute does not cover CreateRouteTable (no substring matching)', () => {
    const result = compare('{ $.eventName = CreateRoute }', '{ $.eventName = CreateRouteTable }');
    expect(result.verdict).toBe('DISJOINT');
    expect(result.missed).toEqual({ eventName: 'CreateRouteTable' });
    expect(result.extra).toEqual({ eventName: 'CreateRoute' });
  });

  it('4.13 without its CreateRouteTable clause is NARROWER, missing exactly that event name', () => {
    const without = V4_413.replace('($.eventName = CreateRouteTable) || ', '');
    expect(without).not.toBe(V4_413);
    const result = compare(without, V4_413);
    expect(result.verdict).toBe('NARROWER');
    expect(result.missed).toEqual({ eventName: 'CreateRouteTable' });
  });

  it('a CreateRoute* wildcard instead of the two clauses is BROADER', () => {
    const wild = V4_413.replace(
      '($.eventName = CreateRoute) || ($.eventName = CreateRouteTable)',
      '($.eventName = CreateRoute*)',
    );
    const result = compare(wild, V4_413);
    expect(result.verdict).toBe('BROADER');
    expect(String((result.extra as Record<string, unknown>).eventName)).toMatch(/^CreateRoute./);
  });
});

describe('wildcard against wildcard and literal', () => {
  it.each([
    ['"*UnauthorizedOperation"', '"Client.UnauthorizedOperation"', 'BROADER'],
    ['"Client.UnauthorizedOperation"', '"*UnauthorizedOperation"', 'NARROWER'],
    ['"AccessDenied*"', '"*Denied*"', 'NARROWER'],
    ['"*Denied*"', '"AccessDenied*"', 'BROADER'],
    ['"AccessDenied*"', '"*UnauthorizedOperation"', 'OVERLAPPING'],
    ['"Access*"', '%^Access%', 'EQUIVALENT'],
    ['"a*b*c"', '"a*c"', 'NARROWER'],
    ['"AccessDenied"', '"accessdenied"', 'DISJOINT'],
    ['"*"', '"**"', 'EQUIVALENT'],
  ])('$.errorCode = %s vs = %s is %s', (c, r, verdict) => {
    expect(compare(`{ $.errorCode = ${c} }`, `{ $.errorCode = ${r} }`).verdict).toBe(verdict);
  });
});

describe('values, types and structure', () => {
  it.each([
    ['{ $.a > 5 }', '{ $.a >= 6 }', 'BROADER'],
    ['{ $.a = 5 }', '{ $.a >= 5 && $.a <= 5 }', 'EQUIVALENT'],
    ['{ $.a = 5 }', '{ $.a = 5.0 }', 'EQUIVALENT'],
    ['{ $.a = 1e3 }', '{ $.a = 1000 }', 'EQUIVALENT'],
    // != also matches strings, null and booleans; < / > only numbers.
    ['{ $.a != 5 }', '{ $.a < 5 || $.a > 5 }', 'BROADER'],
    // A numeric literal only matches numbers; a quoted one only strings.
    ['{ $.a = 400 }', '{ $.a = "400" }', 'DISJOINT'],
    ['{ $.a = * }', '{ $.a IS NULL }', 'DISJOINT'],
    ['{ $.a = * }', '{ $.a IS TRUE || $.a = 3 || $.a = "x" }', 'BROADER'],
    ['{ $.a NOT EXISTS }', '{ $.a != "x" }', 'DISJOINT'],
    ['{ $.a = "x" || $.a != "x" }', '{ $.a = * || $.a IS NULL }', 'EQUIVALENT'],
    // $.a.b existing means $.a is an object, which no comparison on $.a matches.
    ['{ $.a.b = "x" }', '{ $.a = * }', 'DISJOINT'],
    ['{ $.a.b = "x" }', '{ $.a.b = "x" && $.a NOT EXISTS }', 'BROADER'],
    // An array element exists only if every lower index does.
    ['{ $.list[1] = "x" }', '{ $.list[0] NOT EXISTS }', 'DISJOINT'],
    ['{ $.list[0].id = 1 }', '{ $.list[0].id >= 1 && $.list[0].id <= 1 }', 'EQUIVALENT'],
    // Unsatisfiable patterns match nothing: EQUIVALENT to each other, NARROWER than anything else.
    ['{ $.a = "x" && $.a = "y" }', '{ $.b = 1 && $.b = 2 }', 'EQUIVALENT'],
    ['{ $.a = "x" && $.a = "y" }', '{ $.b = 1 }', 'NARROWER'],
    ['{ $.e = %^Access[A-Z]% }', '{ $.e = "AccessDenied*" }', 'BROADER'],
    ['{ $.e = %Denied$% }', '{ $.e = "*Denied" }', 'EQUIVALENT'],
    ['{ $.e = %a{2,3}% }', '{ $.e = "*aa*" }', 'EQUIVALENT'],
  ])('%s vs %s is %s', (c, r, verdict) => {
    expect(compare(c, r).verdict).toBe(verdict);
  });
});

describe('term patterns', () => {
  it.each([
    ['?AccessDenied ?UnauthorizedOperation', '?UnauthorizedOperation ?AccessDenied', 'EQUIVALENT'],
    ['?AccessDenied ?UnauthorizedOperation', 'AccessDenied', 'BROADER'],
    ['"AccessDenied"', '?AccessDenied ?UnauthorizedOperation', 'NARROWER'],
    ['AccessDenied -HeadBucket', 'AccessDenied', 'NARROWER'],
    ['Failed to process', '"Failed to process"', 'BROADER'],
    ['ERROR', '-ERROR', 'DISJOINT'],
    ['ERROR WARN', 'WARN ERROR', 'EQUIVALENT'],
    ['%Access[A-Z]%', 'AccessDenied', 'BROADER'],
    ['', 'ERROR', 'BROADER'],
  ])('%p vs %p is %s', (c, r, verdict) => {
    const result = compare(c, r);
    expect(result.verdict).toBe(verdict);
  });

  it('a term pattern does not cover the 4.1 JSON pattern, and the missed event proves it', () => {
    const result = compare('?AccessDenied ?UnauthorizedOperation', V4_41);
    expect(covers(result)).toBe(false);
    expect(result.missed).not.toBeNull();
    // The missed event is a 4.1 event whose raw text spells the error code with a \u escape.
    const parsed = JSON.parse(line(result.missed as string)) as Record<string, unknown>;
    expect(matchesEvent(parsePattern(V4_41), JSON.stringify(parsed))).toBe(true);
  });

  it('the 4.1 JSON pattern does not cover a term pattern either (plain-text lines)', () => {
    const result = compare(V4_41, '?AccessDenied ?UnauthorizedOperation');
    expect(covers(result)).toBe(false);
    expect(result.missed).toBe('AccessDenied');
  });

  it('the empty pattern covers everything; nothing JSON covers it', () => {
    expect(compare('', V4_41).verdict).toBe('BROADER');
    const result = compare(V4_41, '');
    expect(result.verdict).toBe('NARROWER');
    expect(typeof result.missed).toBe('string');
  });
});

describe('space-delimited patterns', () => {
  it('are EQUIVALENT to a re-spelling of themselves', () => {
    expect(
      compare(
        '[ip, user, ..., status_code = 4* && bytes > 1000, bytes]',
        '[ip,user,...,status_code="4*"&&bytes>1000,bytes]',
      ).verdict,
    ).toBe('EQUIVALENT');
  });

  it('otherwise give verified witnesses (and an UNKNOWN verdict when not all three kinds are found)', () => {
    const result = compare('[a, b = 4*, ...]', '[a, b = 40*, c]');
    expect(['UNKNOWN', 'BROADER']).toContain(result.verdict);
    expect(result.missed).toBeNull();
    expect(result.extra).not.toBeNull();
  });
});
