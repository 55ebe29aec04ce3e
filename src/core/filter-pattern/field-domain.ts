/**
 * The representative values of one JSON field: a finite list that partitions the field's value space
 * exactly with respect to every condition on it (of both patterns):
 *   absent | object | array | null | true | false
 *   | numbers: each literal used by a numeric condition, a point in each open interval between them,
 *     and one below / above all of them
 *   | strings: one witness per realisable combination of the field's glob / regex conditions, found
 *     by exploring the product automaton (explore.ts),
 * keeping one value per distinct outcome on the conditions, and the outcome of each condition on each
 * kept value (the solver's table).
 *
 * Memoised by the field's distinct conditions (and shape): a control's reference pattern brings the
 * same fields with the same conditions to every decision. The result depends only on that set, not
 * on the order or repetition of the conditions: exploration is order-free (explore.ts), numbers are
 * sorted, and a value is dropped exactly when an earlier one has the same outcome on every condition.
 */
import type { JsonCondition } from './ast';
import { type Deadline, STAGE_EXPLORE } from './deadline';
import { ABSENT, evalCondition } from './evaluate';
import { exploreKeyed, type KeyedNfa } from './explore';
import { Lru } from './lru';
import { globNfa } from './nfa';
import { regexNfa } from './regex';
import type { Rep } from './solver';

/** Where the field sits: whether it has named / indexed children, and whether it is an array element. */
export interface FieldShape {
  readonly hasNames: boolean;
  readonly hasIndexes: boolean;
  readonly isIndex: boolean;
}

export interface FieldDomain {
  readonly reps: readonly Rep[];
  /** The outcome of `condition` (one of the field's) on each representative. */
  rowOf(condition: JsonCondition): readonly boolean[];
  /** False when the string exploration hit its limit. */
  readonly complete: boolean;
}

function nextDouble(x: number, up: boolean): number {
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x > 0 === up ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

/** A number strictly between lo and hi (either may be infinite), or null when none exists. */
function between(lo: number, hi: number): number | null {
  let c: number;
  if (lo === Number.NEGATIVE_INFINITY) c = hi - 1 < hi ? hi - 1 : nextDouble(hi, false);
  else if (hi === Number.POSITIVE_INFINITY) c = lo + 1 > lo ? lo + 1 : nextDouble(lo, true);
  else {
    c = lo / 2 + hi / 2;
    if (!(c > lo && c < hi)) c = nextDouble(lo, true);
  }
  if (!Number.isFinite(c) || !(c > lo && c < hi)) return null;
  // Prefer a round number when one fits (nicer witnesses), e.g. 1 instead of 0.5 between 0 and 2.
  const round = Math.floor(lo) + 1;
  if (Number.isFinite(round) && round > lo && round < hi) return round;
  return c === 0 ? 0 : c;
}

function numberReps(literals: readonly number[]): number[] {
  const cs = [...new Set(literals.map((n) => (n === 0 ? 0 : n)))].sort((a, b) => a - b);
  if (cs.length === 0) return [1];
  const out: number[] = [];
  const bounds = [Number.NEGATIVE_INFINITY, ...cs, Number.POSITIVE_INFINITY];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const mid = between(bounds[i] as number, bounds[i + 1] as number);
    if (mid !== null) out.push(mid);
    if (i + 1 < bounds.length - 1) out.push(bounds[i + 1] as number);
  }
  return out;
}

function stringNfa(c: JsonCondition): KeyedNfa | null {
  if (c.kind !== 'compare') return null;
  if (c.value.type === 'string') {
    const text = c.value.text;
    return { key: `g:${text}`, nfa: () => globNfa(text) };
  }
  if (c.value.type === 'regex') {
    const source = c.value.source;
    return { key: `r:${source}`, nfa: () => regexNfa(source) };
  }
  return null;
}

export function witnessLength(rep: Rep): number {
  return rep.kind === 'scalar' && typeof rep.value === 'string' ? rep.value.length : 0;
}

function repValue(rep: Rep): unknown {
  return rep.kind === 'absent' ? ABSENT : rep.kind === 'object' ? {} : rep.kind === 'array' ? [] : rep.value;
}

/** What a condition tests, without its selector: equal keys, equal outcome on every value. */
function conditionKey(c: JsonCondition): string {
  if (c.kind === 'notExists') return 'N';
  if (c.kind === 'is') return `I${c.test}`;
  const v = c.value;
  return `${c.op}${v.type === 'number' ? `n${v.value}` : v.type === 'string' ? `g${v.text}` : `r${v.source}`}`;
}

/** conditionKey, remembered per AST node (memoised parses bring the same nodes back). */
const keys = new WeakMap<JsonCondition, string>();
function keyOf(c: JsonCondition): string {
  let key = keys.get(c);
  if (key === undefined) {
    key = conditionKey(c);
    keys.set(c, key);
  }
  return key;
}

interface Computed {
  readonly reps: readonly Rep[];
  readonly rows: ReadonlyMap<string, readonly boolean[]>;
  readonly complete: boolean;
}

const memo = new Lru<string, Computed>(512);

/** Forgets every memoised field domain (for measuring the engine cold). */
export function clearFieldDomainMemo(): void {
  memo.clear();
}

/** The field's representatives; throws DecisionTimeout when `deadline` passes. */
export function fieldDomain(
  conditions: readonly JsonCondition[],
  shape: FieldShape,
  deadline: Deadline,
): FieldDomain {
  const distinct = new Map<string, JsonCondition>();
  for (const c of conditions) {
    const key = keyOf(c);
    if (!distinct.has(key)) distinct.set(key, c);
  }
  const sortedKeys = [...distinct.keys()].sort();
  const memoKey = `${shape.hasNames ? 'n' : '-'}${shape.hasIndexes ? 'i' : '-'}${shape.isIndex ? 'x' : '-'}${JSON.stringify(sortedKeys)}`;
  let computed = memo.get(memoKey);
  if (computed === undefined) {
    computed = compute(
      sortedKeys.map((k) => [k, distinct.get(k) as JsonCondition] as const),
      shape,
      deadline,
    );
    memo.set(memoKey, computed);
  }
  const { reps, rows, complete } = computed;
  return { reps, complete, rowOf: (c) => rows.get(keyOf(c)) as readonly boolean[] };
}

function compute(
  conditions: readonly (readonly [string, JsonCondition])[],
  shape: FieldShape,
  deadline: Deadline,
): Computed {
  const { hasNames, hasIndexes, isIndex } = shape;
  const reps: Rep[] = [];
  let complete = true;
  if (conditions.length > 0) {
    const nfas: KeyedNfa[] = [];
    const numbers: number[] = [];
    for (const [, cond] of conditions) {
      const s = stringNfa(cond);
      if (s && !nfas.some((n) => n.key === s.key)) nfas.push(s);
      if (cond.kind === 'compare' && cond.value.type === 'number') numbers.push(cond.value.value);
    }
    const explored = exploreKeyed(nfas, deadline);
    complete = explored.complete;
    // Most accepting first (stable): the search tries the values that satisfy the most conditions first.
    const strings = explored.classes
      .map((c) => ({ text: c.text, accepted: c.accepts.filter(Boolean).length }))
      .sort((a, b) => b.accepted - a.accepted);
    for (const s of strings) reps.push({ kind: 'scalar', value: s.text });
    reps.push({ kind: 'absent' });
    for (const n of numberReps(numbers)) reps.push({ kind: 'scalar', value: n });
    reps.push(
      { kind: 'scalar', value: null },
      { kind: 'scalar', value: true },
      { kind: 'scalar', value: false },
    );
    reps.push({ kind: 'object' });
    if (hasIndexes) reps.push({ kind: 'array' });
  } else {
    reps.push({ kind: 'absent' });
    if (hasNames) reps.push({ kind: 'object' });
    if (hasIndexes) reps.push({ kind: 'array' });
  }
  // Keep one representative per distinct outcome vector: two values no condition can tell apart are
  // interchangeable (absent is always kept; containers only when they can hold children).
  // For an array element, "exists" itself matters (a higher index needs the lower ones), so
  // present and absent values never stand in for each other there.
  // Each representative is evaluated once against every condition: the row both decides whether it
  // is a duplicate and fills the table. Evaluating a long witness against a large regex can take a
  // while: charge it by length.
  const outcomes = (r: Rep): boolean[] => {
    deadline.tick(STAGE_EXPLORE, conditions.length * (1 + witnessLength(r)));
    const value = repValue(r);
    return conditions.map(([, cond]) => evalCondition(cond, value));
  };
  const vectorKey = (row: readonly boolean[], r: Rep): string => {
    let key = isIndex && r.kind !== 'absent' ? 'P' : '';
    for (const b of row) key += b ? '1' : '0';
    return key;
  };
  const seen = new Set<string>();
  const kept: Rep[] = [];
  const keptOutcomes: boolean[][] = [];
  const absentOutcome = outcomes({ kind: 'absent' });
  seen.add(vectorKey(absentOutcome, { kind: 'absent' }));
  for (const r of reps) {
    if (r.kind === 'absent') {
      kept.push(r);
      keptOutcomes.push(absentOutcome);
      continue;
    }
    const row = outcomes(r);
    if (!((r.kind === 'object' && hasNames) || (r.kind === 'array' && hasIndexes))) {
      const v = vectorKey(row, r);
      if (seen.has(v)) continue;
      seen.add(v);
    }
    kept.push(r);
    keptOutcomes.push(row);
  }
  const rows = new Map<string, readonly boolean[]>();
  conditions.forEach(([key], j) => {
    rows.set(
      key,
      keptOutcomes.map((o) => o[j] as boolean),
    );
  });
  return { reps: kept, rows, complete };
}
