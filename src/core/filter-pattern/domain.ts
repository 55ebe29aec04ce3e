/**
 * Turns patterns into solver problems. For JSON patterns: one node per selector prefix, each with
 * the field's representative values (field-domain.ts), which partition the field's value space
 * exactly with respect to every atom of both patterns. For term patterns: one node (the line) whose
 * representatives are strings, one per realisable combination of the phrase / regex atoms.
 */
import type { JsonCondition, JsonExpr, SelectorStep, TermPattern } from './ast';
import { type Deadline, NO_DEADLINE, STAGE_EXPLORE } from './deadline';
import { termOccurs } from './evaluate';
import { exploreKeyed } from './explore';
import { fieldDomain, witnessLength } from './field-domain';
import { containsNfa } from './nfa';
import { regexNfa } from './regex';
import { type Formula, not, type Problem, type Rep, type SolverNode } from './solver';

export interface BuiltProblem {
  readonly problem: Problem;
  readonly formulas: readonly Formula[];
  /** False when a string exploration hit its limit: "unsat" may then be wrong. */
  readonly complete: boolean;
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
  const table: (readonly boolean[])[] = atomConds.map(() => []);
  let complete = true;

  const visit = (t: TrieNode, parent: number, siblingsSoFar: number[]): void => {
    const field = fieldDomain(
      t.conditions.map((c) => c.cond),
      {
        hasNames: [...t.children.values()].some((k) => typeof k.steps[k.steps.length - 1] === 'string'),
        hasIndexes: [...t.children.values()].some((k) => typeof k.steps[k.steps.length - 1] === 'number'),
        isIndex: typeof t.steps[t.steps.length - 1] === 'number',
      },
      deadline,
    );
    complete &&= field.complete;
    const index = nodes.length;
    const step = t.steps[t.steps.length - 1] as SelectorStep;
    nodes.push({
      parent,
      step,
      reps: field.reps,
      lowerSiblings: typeof step === 'number' ? [...siblingsSoFar] : [],
    });
    for (const { atom, cond } of t.conditions) {
      atomNode[atom] = index;
      table[atom] = field.rowOf(cond);
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
  const explored = exploreKeyed(
    matches.map((m) =>
      m.type === 'phrase'
        ? { key: `p:${m.text}`, nfa: () => containsNfa(m.text) }
        : { key: `r:${m.source}`, nfa: () => regexNfa(m.source) },
    ),
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
