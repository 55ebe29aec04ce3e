/**
 * Property tests of the optimised engine against the plain one: the exploration agrees with the
 * unoptimised reference (reference-explore.ts) on random automata; memoised decisions equal decisions
 * made from scratch, whatever other decisions filled the memos and in whatever order their
 * conditions came; the decision cache returns what comparePatterns returns; decorated witnesses still
 * prove their verdicts. The golden test pins the same on the recorded corpus.
 */
import fc from 'fast-check';
import {
  clearEngineMemos,
  comparePatterns,
  DecisionCache,
  parsePattern,
  withCloudTrailFields,
} from '../../src/core/filter-pattern';
import { exploreKeyed, exploreStringClasses } from '../../src/core/filter-pattern/explore';
import { containsNfa, globNfa, type Nfa } from '../../src/core/filter-pattern/nfa';
import { compileRegex } from '../../src/core/filter-pattern/regex';
import { jsonPatternTextArb, termTextArb } from './arbitraries';
import { expectVerifiedWitnesses } from './helpers';
import { referenceExplore } from './reference-explore';

/** Globs, phrases and regexes over a small alphabet, so that several of them interact. */
const atomArb: fc.Arbitrary<{ key: string; nfa: () => Nfa }> = fc.oneof(
  fc.stringMatching(/^[abx*]{0,6}$/).map((g) => ({ key: `g:${g}`, nfa: () => globNfa(g) })),
  fc.stringMatching(/^[abx]{1,4}$/).map((p) => ({ key: `p:${p}`, nfa: () => containsNfa(p) })),
  fc
    .stringMatching(/^\^?[abx]{0,2}(?:[abx.]|\[ab\]|\[^a\]|\\d)(?:[*+?]|\{1,2\})?[abx]{0,2}(?:\|b)?\$?$/)
    .map((r) => ({ key: `r:${r}`, nfa: () => compileRegex(r) })),
);
const atomsArb = fc.uniqueArray(atomArb, { minLength: 1, maxLength: 4, selector: (a) => a.key });

/** Comparable form: witnesses serialised, so key order and value types count. */
const shape = (c: { verdict: string; missed: unknown; extra: unknown; note?: string }): string =>
  JSON.stringify([c.verdict, JSON.stringify(c.missed), JSON.stringify(c.extra), c.note ?? null]);

describe('the optimised exploration', () => {
  it('finds the same classes, witnesses and completeness as the unoptimised reference', () => {
    fc.assert(
      fc.property(atomsArb, fc.constantFrom(50000, 3, 12), (atoms, limit) => {
        const nfas = atoms.map((a) => a.nfa());
        expect(exploreStringClasses(nfas, limit)).toEqual(referenceExplore(nfas, limit));
      }),
      { numRuns: 300 },
    );
  });

  it('memoised, gives each caller the same classes in its own order of automata', () => {
    fc.assert(
      fc.property(atomsArb, (atoms) => {
        clearEngineMemos();
        const reversed = [...atoms].reverse();
        const fresh = exploreStringClasses(reversed.map((a) => a.nfa()));
        exploreKeyed(atoms); // fills the memo in the other order
        expect(exploreKeyed(reversed)).toEqual(fresh);
      }),
      { numRuns: 200 },
    );
  });
});

describe('memoised decisions', () => {
  it('equal decisions made from scratch, on JSON pattern pairs, after other decisions filled the memos', () => {
    fc.assert(
      fc.property(jsonPatternTextArb, jsonPatternTextArb, jsonPatternTextArb, (c, r, other) => {
        clearEngineMemos();
        const cold = shape(comparePatterns(c, r));
        // Same fields with the conditions in other orders and company, decided first.
        comparePatterns(r, c);
        comparePatterns(other, r);
        comparePatterns(c, other);
        expect(shape(comparePatterns(c, r))).toBe(cold);
      }),
      { numRuns: 200 },
    );
  });

  it('equal decisions made from scratch, on term pattern pairs', () => {
    fc.assert(
      fc.property(termTextArb, termTextArb, (c, r) => {
        clearEngineMemos();
        const cold = shape(comparePatterns(c, r));
        comparePatterns(r, c);
        expect(shape(comparePatterns(c, r))).toBe(cold);
      }),
      { numRuns: 200 },
    );
  });

  it('come out of the decision cache exactly as comparePatterns gives them', () => {
    const cache = new DecisionCache(64);
    fc.assert(
      fc.property(jsonPatternTextArb, jsonPatternTextArb, (c, r) => {
        const cached = cache.compare(c, r);
        expect(cache.compare(c, r)).toBe(cached);
        expect(shape(cached)).toBe(shape(comparePatterns(c, r)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('CloudTrail-shaped witnesses', () => {
  it('still prove the verdict on random JSON pattern pairs', () => {
    fc.assert(
      fc.property(jsonPatternTextArb, jsonPatternTextArb, (c, r) => {
        const pc = parsePattern(c);
        const pr = parsePattern(r);
        const bare = comparePatterns(pc, pr);
        const shown = withCloudTrailFields(bare, pc, pr);
        expect(shown.verdict).toBe(bare.verdict);
        expectVerifiedWitnesses(c, r, shown);
      }),
      { numRuns: 200 },
    );
  });
});
