/**
 * Property tests (fast-check): the printer round-trips, the coverage decision agrees with the
 * evaluator on random events, and the parser throws nothing but PatternSyntaxError.
 */
import fc from 'fast-check';
import {
  comparePatterns,
  matchesEvent,
  PatternSyntaxError,
  parsePattern,
  printPattern,
} from '../../src/core/filter-pattern';
import { jsonPatternTextArb, patternArb, regexCount, termTextArb } from './arbitraries';
import { expectVerifiedWitnesses } from './helpers';

describe('printer', () => {
  it('round-trips: parsePattern(printPattern(p)) deep-equals p', () => {
    fc.assert(
      fc.property(patternArb, (p) => {
        fc.pre(regexCount(p) <= 2 && printPattern(p).length <= 1024);
        expect(parsePattern(printPattern(p))).toEqual(p);
      }),
      { numRuns: 400 },
    );
  });
});

// ------------------------------------------------------------------ decision vs evaluator

const leafValueArb = fc.constantFrom<unknown>(
  'x',
  'xy',
  'y',
  'xay',
  'ab',
  'axb',
  '',
  'zz',
  1,
  2.5,
  -3,
  0,
  7,
  null,
  true,
  false,
  {},
  [],
);
const eventArb = fc.record(
  {
    a: fc.oneof(leafValueArb, fc.record({ c: leafValueArb }, { requiredKeys: [] })),
    b: leafValueArb,
    l: fc.oneof(leafValueArb, fc.array(leafValueArb, { maxLength: 3 })),
    noise: fc.string({ maxLength: 4 }),
  },
  { requiredKeys: [] },
);

function agrees(verdict: string, inC: boolean, inR: boolean): boolean {
  switch (verdict) {
    case 'EQUIVALENT':
      return inC === inR;
    case 'BROADER':
      return !inR || inC;
    case 'NARROWER':
      return !inC || inR;
    case 'DISJOINT':
      return !(inC && inR);
    default:
      return true;
  }
}

describe('comparePatterns agrees with matchesEvent', () => {
  it('on JSON patterns over shared fields, for random events', () => {
    fc.assert(
      fc.property(
        jsonPatternTextArb,
        jsonPatternTextArb,
        fc.array(eventArb, { minLength: 10, maxLength: 25 }),
        (c, r, events) => {
          const result = comparePatterns(c, r);
          expect(result.verdict).not.toBe('UNKNOWN');
          expectVerifiedWitnesses(c, r, result);
          const pc = parsePattern(c);
          const pr = parsePattern(r);
          for (const event of events) {
            const text = JSON.stringify(event);
            const inC = matchesEvent(pc, text);
            const inR = matchesEvent(pr, text);
            if (!agrees(result.verdict, inC, inR)) {
              throw new Error(
                `${result.verdict} contradicted by ${text}: candidate ${inC}, reference ${inR}`,
              );
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on a pattern against itself re-printed (always EQUIVALENT)', () => {
    fc.assert(
      fc.property(jsonPatternTextArb, (t) => {
        expect(comparePatterns(printPattern(parsePattern(t)), t).verdict).toBe('EQUIVALENT');
      }),
      { numRuns: 150 },
    );
  });

  it('on term patterns, for random lines', () => {
    fc.assert(
      fc.property(
        termTextArb,
        termTextArb,
        fc.array(fc.stringMatching(/^[abc ]{0,8}$/), { minLength: 10, maxLength: 30 }),
        (c, r, lines) => {
          const result = comparePatterns(c, r);
          expect(result.verdict).not.toBe('UNKNOWN');
          expectVerifiedWitnesses(c, r, result);
          const pc = parsePattern(c);
          const pr = parsePattern(r);
          for (const text of lines) {
            expect(agrees(result.verdict, matchesEvent(pc, text), matchesEvent(pr, text))).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parser robustness', () => {
  const check = (text: string): void => {
    try {
      parsePattern(text);
    } catch (e) {
      if (!(e instanceof PatternSyntaxError)) throw e;
      expect(e.position).toBeGreaterThanOrEqual(0);
      expect(e.position).toBeLessThanOrEqual(Math.max(text.length, 1024));
    }
  };
  it('throws nothing but PatternSyntaxError on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), check), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 30 }), check), { numRuns: 300 });
  });
  it('throws nothing but PatternSyntaxError on random pattern-like token soup', () => {
    const token = fc.constantFrom(
      '{',
      '}',
      '(',
      ')',
      '[',
      ']',
      '$.a',
      '$.b[0]',
      '$',
      '.',
      '=',
      '!=',
      '<',
      '>=',
      '&&',
      '||',
      '"x"',
      '"',
      'x*',
      '%a%',
      '%',
      '%[a-%',
      '%a{2,%',
      'IS',
      'NULL',
      'TRUE',
      'NOT',
      'EXISTS',
      ',',
      '...',
      '?',
      '-',
      '*',
      '1e5',
      '-2.5',
      ' ',
      '\\',
      'abc',
      '\n',
    );
    fc.assert(
      fc.property(
        fc.array(token, { maxLength: 25 }).map((ts) => ts.join('')),
        check,
      ),
      { numRuns: 2000 },
    );
  });
});
