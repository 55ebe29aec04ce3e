/**
 * The process-wide decision cache (issue 18): keyed by the canonical forms of both patterns, bounded,
 * exact (a hit is what deciding again gives), and careful with UNKNOWNs that only ran out of time.
 */
import { getMetricFilterControl } from '../../src/core/controls';
import {
  comparePatterns,
  covers,
  DecisionCache,
  decisionTimedOut,
  parsePattern,
  printPattern,
} from '../../src/core/filter-pattern';
import { respell, SPELLINGS, slowWallClock } from './helpers';

const V41 = getMetricFilterControl('4.1').pattern;
const V415 = getMetricFilterControl('4.15').pattern;
const NARROWER_41 = V41.replace(' }', ' && ($.eventName != "GetObject") }');
/**
 * Spellings with the same canonical form: spacing, quoting, parentheses. (Reordered clauses print
 * differently: the order of clauses is part of a pattern's canonical form, and of its witnesses.)
 */
const SAME_CANONICAL = SPELLINGS.filter((s) => !s.reverse);

/** Valid, and far more costly to decide than any budget used here (the security review's family). */
const HOSTILE = '{ $.errorCode = %.{0,1000}a.{0,1000}% && $.eventName = %[a-z]{0,1000}b{1000}% }';

describe('DecisionCache', () => {
  // The UNKNOWNs here must be timeouts of the CPU budget (kept), never stalls of a busy host (not kept).
  let clock: jest.SpyInstance;
  beforeEach(() => {
    clock = slowWallClock();
  });
  afterEach(() => clock.mockRestore());

  it('answers every spacing, quoting and parenthesising of the same two patterns from one entry, with what deciding again gives', () => {
    const cache = new DecisionCache(16);
    const first = cache.compare(NARROWER_41, V41);
    expect(first).toEqual(comparePatterns(NARROWER_41, V41));
    expect(first.verdict).toBe('NARROWER');
    for (const spelling of SAME_CANONICAL) {
      expect(cache.compare(respell(NARROWER_41, spelling), respell(V41, spelling))).toBe(first);
    }
    // Parsed patterns are keyed the same way as their text.
    expect(cache.compare(parsePattern(NARROWER_41), parsePattern(printPattern(parsePattern(V41))))).toBe(
      first,
    );
    expect(cache.stats()).toEqual({ size: 1, capacity: 16, hits: SAME_CANONICAL.length + 1, misses: 1 });
    // The other direction is another decision.
    expect(cache.compare(V41, NARROWER_41).verdict).toBe('BROADER');
    expect(cache.stats().misses).toBe(2);
  });

  it('1,000 accounts with the same filters (spelled as each team wrote them) cost one decision per filter', () => {
    const cache = new DecisionCache();
    const filters = [V41, V415, NARROWER_41];
    for (let account = 0; account < 1000; account++) {
      const spelling = SAME_CANONICAL[account % SAME_CANONICAL.length] as (typeof SPELLINGS)[number];
      for (const f of filters) {
        const mine = account % 2 === 0 ? f : respell(f, spelling);
        expect(covers(cache.compare(mine, V41))).toBe(f === V41);
      }
    }
    expect(cache.stats()).toMatchObject({ size: 3, misses: 3, hits: 2997 });
  });

  it('stays within its capacity, evicting the least recently used entry', () => {
    const cache = new DecisionCache(3);
    const pattern = (i: number) => `{ $.eventName = "Call${i}" }`;
    for (let i = 0; i < 3; i++) cache.compare(pattern(i), V41);
    cache.compare(pattern(0), V41); // now the most recently used
    for (let i = 3; i < 50; i++) {
      cache.compare(pattern(i), V41);
      expect(cache.stats().size).toBeLessThanOrEqual(3);
      if (i === 3) {
        // Call1 was the least recently used: evicted; Call0 survived.
        const before = cache.stats().misses;
        cache.compare(pattern(0), V41);
        expect(cache.stats().misses).toBe(before);
        cache.compare(pattern(1), V41);
        expect(cache.stats().misses).toBe(before + 1);
      }
    }
  });

  it('hands out frozen results: no caller can change what the next one reads', () => {
    const cache = new DecisionCache(4);
    const result = cache.compare(NARROWER_41, V41);
    expect(Object.isFrozen(result)).toBe(true);
    expect(Object.isFrozen(result.missed)).toBe(true);
    expect(() => {
      (result.missed as Record<string, unknown>).eventName = 'changed';
    }).toThrow(TypeError);
  });

  it('keeps an UNKNOWN that ran out of time only for budgets no larger than the one it had', () => {
    const cache = new DecisionCache(8);
    const cut = cache.compare(HOSTILE, V41, { deadlineMs: 20 });
    expect(decisionTimedOut(cut)).toBe(true);
    // The same or a smaller budget would run out again: answered from the cache, no new decision.
    expect(cache.compare(HOSTILE, V41, { deadlineMs: 20 })).toBe(cut);
    expect(cache.compare(HOSTILE, V41, { deadlineMs: 5 })).toBe(cut);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1 });
    // A larger budget decides again.
    const longer = cache.compare(HOSTILE, V41, { deadlineMs: 60 });
    expect(longer).not.toBe(cut);
    expect(longer.note).toMatch(/^decision took too long: stopped after 60 ms/);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 2 });
    expect(cache.compare(HOSTILE, V41, { deadlineMs: 40 })).toBe(longer);
  });

  it('replaces an UNKNOWN cut short by a decided verdict, which is then final for every budget', () => {
    const cache = new DecisionCache(8);
    const cut = cache.compare(NARROWER_41, V41, { deadlineMs: 0 });
    expect(decisionTimedOut(cut)).toBe(true);
    const decided = cache.compare(NARROWER_41, V41);
    expect(decided.verdict).toBe('NARROWER');
    expect(cache.compare(NARROWER_41, V41, { deadlineMs: 0 })).toBe(decided);
    expect(cache.compare(NARROWER_41, V41, { deadlineMs: Number.POSITIVE_INFINITY })).toBe(decided);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 2 });
  });

  it('treats an UNKNOWN that does not depend on time (mixed families) as final', () => {
    const cache = new DecisionCache(8);
    const mixed = cache.compare('[ip, user, status = 4*]', V41);
    expect(mixed.verdict).toBe('UNKNOWN');
    expect(decisionTimedOut(mixed)).toBe(false);
    expect(cache.compare('[ip,user,status="4*"]', V41, { deadlineMs: Number.POSITIVE_INFINITY })).toBe(mixed);
  });

  it('does not cache syntax errors: they throw every time', () => {
    const cache = new DecisionCache(8);
    for (let i = 0; i < 2; i++) expect(() => cache.compare('{ $.a = }', V41)).toThrow(/position 8/);
    expect(cache.stats().size).toBe(0);
  });
});
