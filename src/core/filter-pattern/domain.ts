/**
 * Turns patterns into solver problems. For JSON patterns: one node per selector prefix, and per
 * field a finite set of representative values that partitions the field's value space exactly with
 * respect to every atom of both patterns:
 *   absent | object | array | null | true | false
 *   | numbers: each literal used by a numeric atom, a point in each open interval between them,
 *     and one below / above all of them
 *   | strings: one witness per realisable combination of the field's glob / regex atoms, found by
 *     exploring the product automaton (see nfa.ts).
 * For term patterns: one node (the line) whose representatives are strings, one per realisable
 * combination of the phrase / regex atoms.
 */
import type { JsonCondition, JsonExpr, SelectorStep, TermPattern } from './ast';
import { type Deadline, NO_DEADLINE, STAGE_EXPLORE } from './deadline';
import { ABSENT, evalCondition, termOccurs } from './evaluate';
import { exploreStringClasses } from './explore';
import { containsNfa, globNfa, type Nfa } from './nfa';
import { regexNfa } from './regex';
import { type Formula, not, type Problem, type Rep, type SolverNode } from './solver';

export interface BuiltProblem {
  readonly problem: Problem;
  readonly formulas: readonly Formula[];
  /** False when a string exploration hit its limit: "unsat" may then be wrong. */
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

function stringNfa(c: JsonCondition): { key: string; nfa: () => Nfa } | null {
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

function witnessLength(rep: Rep): number {
  return rep.kind === 'scalar' && typeof rep.value === 'string' ? rep.value.length : 0;
}

function repValue(rep: Rep): unknown {
  return rep.kind === 'absent' ? ABSENT : rep.kind === 'object' ? {} : rep.kind === 'array' ? [] : rep.value;
}

interface TrieNode {
  steps: SelectorStep[];
  children: Map<string, TrieNode>;
  conditions: { atom: number; cond: JsonCondition }[];
}

/**
 * Builds one problem covering every JSON expression given (formulas in the same order). Throws
 * DecisionTimeout when `deadline` passes.
 */
export function jsonProblem(exprs: readonly JsonExpr[], deadline: Deadline = NO_DEADLINE): BuiltProblem {
  const root: TrieNode = { steps: [], children: new Map(), conditions: [] };
  const atomConds: JsonCondition[] = [];
  const toFormula = (e: JsonExpr): Formula => {
    if (e.kind === 'and' || e.kind === 'or') return { t: e.kind, xs: e.items.map(toFormula) };
    const id = atomConds.length;
    atomConds.push(e);
    let node = root;
    e.selector.forEach((step, i) => {
      const key = typeof step === 'number' ? `#${step}` : `.${step}`;
      let child = node.children.get(key);
      if (!child) {
        child = { steps: e.selector.slice(0, i + 1), children: new Map(), conditions: [] };
        node.children.set(key, child);
      }
      node = child;
    });
    node.conditions.push({ atom: id, cond: e });
    return { t: 'atom', id };
  };
  const formulas = exprs.map(toFormula);

  const nodes: SolverNode[] = [];
  const atomNode: number[] = atomConds.map(() => -1);
  const table: boolean[][] = atomConds.map(() => []);
  let complete = true;

  const visit = (t: TrieNode, parent: number, siblingsSoFar: number[]): void => {
    const kids = [...t.children.values()];
    const hasNames = kids.some((k) => typeof k.steps[k.steps.length - 1] === 'string');
    const hasIndexes = kids.some((k) => typeof k.steps[k.steps.length - 1] === 'number');
    const reps: Rep[] = [];
    if (t.conditions.length > 0) {
      const nfas = new Map<string, () => Nfa>();
      const numbers: number[] = [];
      for (const { cond } of t.conditions) {
        const s = stringNfa(cond);
        if (s) nfas.set(s.key, s.nfa);
        if (cond.kind === 'compare' && cond.value.type === 'number') numbers.push(cond.value.value);
      }
      const explored = exploreStringClasses(
        [...nfas.values()].map((f) => f()),
        undefined,
        deadline,
      );
      complete &&= explored.complete;
      const strings = [...explored.classes].sort(
        (a, b) => b.accepts.filter(Boolean).length - a.accepts.filter(Boolean).length,
      );
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
    // Keep one representative per distinct atom vector: two values no atom can tell apart are
    // interchangeable (absent is always kept; containers only when they can hold children).
    // For an array element, "exists" itself matters (a higher index needs the lower ones), so
    // present and absent values never stand in for each other there.
    const isIndex = typeof t.steps[t.steps.length - 1] === 'number';
    const seen = new Set<string>();
    // Evaluating a long witness against a large regex can take a while: charge it by length.
    const vectorOf = (r: Rep): string => {
      deadline.tick(STAGE_EXPLORE, t.conditions.length * (1 + witnessLength(r)));
      return (
        t.conditions.map(({ cond }) => (evalCondition(cond, repValue(r)) ? '1' : '0')).join('') +
        (isIndex && r.kind !== 'absent' ? 'P' : '')
      );
    };
    seen.add(vectorOf({ kind: 'absent' }));
    const kept = reps.filter((r) => {
      if (r.kind === 'absent') return true;
      if ((r.kind === 'object' && hasNames) || (r.kind === 'array' && hasIndexes)) return true;
      const v = vectorOf(r);
      if (seen.has(v)) return false;
      seen.add(v);
      return true;
    });
    const index = nodes.length;
    const step = t.steps[t.steps.length - 1] as SelectorStep;
    nodes.push({
      parent,
      step,
      reps: kept,
      lowerSiblings: typeof step === 'number' ? [...siblingsSoFar] : [],
    });
    for (const { atom, cond } of t.conditions) {
      atomNode[atom] = index;
      table[atom] = kept.map((r) => evalCondition(cond, repValue(r)));
    }
    visitChildren(t, index);
  };
  const visitChildren = (t: TrieNode, parent: number): void => {
    const kids = [...t.children.values()].sort((a, b) => {
      const x = a.steps[a.steps.length - 1] as SelectorStep;
      const y = b.steps[b.steps.length - 1] as SelectorStep;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      if (typeof x === 'number') return 1;
      if (typeof y === 'number') return -1;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const indexSiblings: number[] = [];
    for (const k of kids) {
      const at = nodes.length;
      visit(k, parent, indexSiblings);
      if (typeof k.steps[k.steps.length - 1] === 'number') indexSiblings.push(at);
    }
  };
  visitChildren(root, -1);
  return { problem: { nodes, atomNode, table }, formulas, complete };
}

/** Formula of a term pattern over atoms numbered in `atoms` (shared between patterns). */
function termFormula(p: TermPattern, atomOf: (m: TermPattern['terms'][number]['match']) => number): Formula {
  const all: Formula[] = [];
  const any: Formula[] = [];
  for (const t of p.terms) {
    const a: Formula = { t: 'atom', id: atomOf(t.match) };
    if (t.mode === 'all') all.push(a);
    else if (t.mode === 'none') all.push(not(a));
    else any.push(a);
  }
  if (any.length > 0) all.push({ t: 'or', xs: any });
  return { t: 'and', xs: all };
}

/** One node (the whole line) whose representatives are strings. Throws DecisionTimeout past `deadline`. */
export function termProblem(
  patterns: readonly TermPattern[],
  deadline: Deadline = NO_DEADLINE,
): BuiltProblem {
  const matches: TermPattern['terms'][number]['match'][] = [];
  const ids = new Map<string, number>();
  const atomOf = (m: TermPattern['terms'][number]['match']): number => {
    const key = m.type === 'phrase' ? `p:${m.text}` : `r:${m.source}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = matches.length;
      ids.set(key, id);
      matches.push(m);
    }
    return id;
  };
  const formulas = patterns.map((p) => termFormula(p, atomOf));
  const explored = exploreStringClasses(
    matches.map((m) => (m.type === 'phrase' ? containsNfa(m.text) : regexNfa(m.source))),
    undefined,
    deadline,
  );
  const reps: Rep[] = explored.classes.map((c) => ({ kind: 'scalar', value: c.text }));
  const table = matches.map((m) =>
    reps.map((r) => {
      deadline.tick(STAGE_EXPLORE, 1 + witnessLength(r));
      return termOccurs(m, (r as { value: string }).value);
    }),
  );
  return {
    problem: {
      nodes: [{ parent: -1, step: null, reps, lowerSiblings: [] }],
      atomNode: matches.map(() => 0),
      table,
    },
    formulas,
    complete: explored.complete,
  };
}
