/**
 * fast-check generators shared by the property tests: normalised ASTs of every pattern family, and
 * small JSON and term pattern texts over a few shared fields and words (so pairs of them overlap).
 */
import fc from 'fast-check';
import type { JsonExpr, Pattern, SpaceExpr, SpaceField, Term } from '../../src/core/filter-pattern';
import { printPattern } from '../../src/core/filter-pattern';

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

export const patternArb: fc.Arbitrary<Pattern> = fc.oneof(
  exprArb.map((expr) => ({ kind: 'json' as const, expr })),
  fc.array(termArb, { maxLength: 4 }).map((terms) => ({ kind: 'terms' as const, terms })),
  spaceArb,
);

/** AWS allows at most two regexes per pattern; the generator may produce more. */
export function regexCount(p: Pattern): number {
  return (printPattern(p).match(/%/g) ?? []).length / 2;
}

// ------------------------------------------------------------------ small JSON and term pattern texts over shared fields

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
export const jsonPatternTextArb = smallExprArb
  .map((e) => `{ ${e} }`)
  .filter((t) => (t.match(/%/g) ?? []).length <= 4);

const WORDS = ['ab', 'b', 'abc', 'ca', '%^a%', '%c$%'];
export const termTextArb = fc
  .array(fc.tuple(fc.constantFrom('', '?', '-'), fc.constantFrom(...WORDS)), { minLength: 0, maxLength: 4 })
  .map((ts) => ts.map(([m, w]) => `${m}${w}`).join(' '))
  .filter((t) => (t.match(/%/g) ?? []).length <= 4);
