/**
 * Property tests (fast-check): the printer round-trips, the coverage decision agrees with the
 * evaluator on random events, and the parser throws nothing but PatternSyntaxError.
 */
import fc from 'fast-check';
import {
  comparePatterns,
  type JsonExpr,
  matchesEvent,
  type Pattern,
  PatternSyntaxError,
  parsePattern,
  printPattern,
  type SpaceExpr,
  type SpaceField,
  type Term,
} from '../../src/core/filter-pattern';
import { expectVerifiedWitnesses } from './helpers';

// ------------------------------------------------------------------ AST generators (normalised)

function flatten<T extends { kind: string; items?: readonly T[] }>(kind: 'and' | 'or', items: T[]): T {
  const flat = items.flatMap((e) => (e.kind === kind ? (e.items as T[]) : [e]));
  return (flat.length === 1 ? flat[0] : { kind, items: flat }) as T;
}

const REGEXES = ['^Access', 'Denied$', 'a{2,3}', '[0-9]+', 'x|y', '\\d\\.\\d', 'colou?r'];
const selectorArb = fc
  .array(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,6}$/), fc.nat({ max: 3 })), {
    minLength: 0,
    maxLength: 3,
  })
  .chain((rest) => fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,6}$/).map((first) => [first, ...rest]));
const numberArb = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
const stringValueArb = fc.string({ maxLength: 8 }).map((text) => ({ type: 'string' as const, text }));
const numberValueArb = numberArb.map((value) => ({ type: 'number' as const, value }));
const regexValueArb = fc.constantFrom(...REGEXES).map((source) => ({ type: 'regex' as const, source }));

const conditionArb: fc.Arbitrary<JsonExpr> = fc.oneof(
  fc.record({
    kind: fc.constant('compare' as const),
    selector: selectorArb,
    op: fc.constantFrom('=' as const, '!=' as const),
    value: fc.oneof(stringValueArb, numberValueArb, regexValueArb),
  }),
  fc.record({
    kind: fc.constant('compare' as const),
    selector: selectorArb,
    op: fc.constantFrom('<' as const, '>' as const, '<=' as const, '>=' as const),
    value: numberValueArb,
  }),
  fc.record({
    kind: fc.constant('is' as const),
    selector: selectorArb,
    test: fc.constantFrom('NULL' as const, 'TRUE' as const, 'FALSE' as const),
  }),
  fc.record({ kind: fc.constant('notExists' as const), selector: selectorArb }),
);

const exprArb: fc.Arbitrary<JsonExpr> = fc.letrec<{ e: JsonExpr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    conditionArb,
    fc
      .tuple(
        fc.constantFrom('and' as const, 'or' as const),
        fc.array(tie('e'), { minLength: 2, maxLength: 3 }),
      )
      .map(([kind, items]) => flatten<JsonExpr>(kind, items)),
  ),
})).e;

const termArb: fc.Arbitrary<Term> = fc.record({
  mode: fc.constantFrom('all' as const, 'any' as const, 'none' as const),
  match: fc.oneof(
    fc.string({ minLength: 1, maxLength: 8 }).map((text) => ({ type: 'phrase' as const, text })),
    regexValueArb,
  ),
});

const spaceArb: fc.Arbitrary<Pattern> = fc
  .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,4}$/), { minLength: 1, maxLength: 4 })
  .chain((names) =>
    fc
      .tuple(
        ...names.map((name) =>
          fc.oneof(
            fc.constant<SpaceField>({ kind: 'field', name, condition: null }),
            fc.constant<SpaceField>({ kind: 'ellipsis' }),
            fc
              .array(
                fc.record({
                  kind: fc.constant('compare' as const),
                  name: fc.constantFrom(...names),
                  op: fc.constantFrom('=' as const, '!=' as const),
                  value: fc.oneof(stringValueArb, numberValueArb),
                }),
                { minLength: 0, maxLength: 2 },
              )
              .chain((more) =>
                fc
                  .tuple(
                    fc.constantFrom('and' as const, 'or' as const),
                    fc.constantFrom('=' as const, '!=' as const),
                    stringValueArb,
                  )
                  .map(
                    ([kind, op, value]): SpaceField => ({
                      kind: 'field',
                      name,
                      condition: flatten<SpaceExpr>(kind, [{ kind: 'compare', name, op, value }, ...more]),
                    }),
                  ),
              ),
          ),
        ),
      )
      .map((fields) => ({ kind: 'space' as const, fields })),
  )
  // Conditions may only name fields that exist (an ellipsis slot names nothing).
  .filter((p) => {
    const text = JSON.stringify(p);
    const fields = new Set(p.fields.flatMap((f) => (f.kind === 'field' ? [f.name] : [])));
    return [...text.matchAll(/"kind":"compare","name":"([^"]+)"/g)].every((m) => fields.has(m[1] as string));
  });

const patternArb: fc.Arbitrary<Pattern> = fc.oneof(
  exprArb.map((expr) => ({ kind: 'json' as const, expr })),
  fc.array(termArb, { maxLength: 4 }).map((terms) => ({ kind: 'terms' as const, terms })),
  spaceArb,
);

/** AWS allows at most two regexes per pattern; the generator may produce more. */
function regexCount(p: Pattern): number {
  return (printPattern(p).match(/%/g) ?? []).length / 2;
}

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

const FIELDS = ['$.a', '$.b', '$.a.c', '$.l[0]', '$.l[1]'];
const STRINGS = ['"x"', '"xy"', '"*y"', '"x*"', '"*"', '"a*b"', '%^x%', '%y$%'];
const NUMBERS = ['1', '2.5', '-3'];

const smallConditionArb = fc.oneof(
  fc
    .tuple(fc.constantFrom(...FIELDS), fc.constantFrom('=', '!='), fc.constantFrom(...STRINGS, ...NUMBERS))
    .map(([f, op, v]) => `${f} ${op} ${v}`),
  fc
    .tuple(fc.constantFrom(...FIELDS), fc.constantFrom('<', '>', '<=', '>='), fc.constantFrom(...NUMBERS))
    .map(([f, op, v]) => `${f} ${op} ${v}`),
  fc
    .tuple(fc.constantFrom(...FIELDS), fc.constantFrom('IS NULL', 'IS TRUE', 'NOT EXISTS'))
    .map(([f, t]) => `${f} ${t}`),
);
const smallExprArb: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    smallConditionArb,
    fc.tuple(tie('e'), fc.constantFrom('&&', '||'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
  ),
})).e;
const jsonPatternTextArb = smallExprArb
  .map((e) => `{ ${e} }`)
  .filter((t) => (t.match(/%/g) ?? []).length <= 4);

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

  const WORDS = ['ab', 'b', 'abc', 'ca', '%^a%', '%c$%'];
  const termTextArb = fc
    .array(fc.tuple(fc.constantFrom('', '?', '-'), fc.constantFrom(...WORDS)), { minLength: 0, maxLength: 4 })
    .map((ts) => ts.map(([m, w]) => `${m}${w}`).join(' '))
    .filter((t) => (t.match(/%/g) ?? []).length <= 4);
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
