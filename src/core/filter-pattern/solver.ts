/**
 * A small finite-domain search used by the coverage decision. Each node is one JSON field (or the
 * whole line for term patterns) with a finite list of representative values, chosen so that every
 * possible value of that field behaves like one of them for every atom of both patterns. The search
 * assigns nodes in tree order (parents first), keeps assignments structurally consistent (a child
 * exists only under an object/array parent of the right kind; array elements exist from index 0
 * up), and prunes with three-valued (Kleene) evaluation of the goal formula. It is complete: "no
 * solution" means no event at all satisfies the goal.
 */
import type { SelectorStep } from './ast';
import { type Deadline, NO_DEADLINE, STAGE_SEARCH } from './deadline';

export type Formula =
  | { readonly t: 'atom'; readonly id: number }
  | { readonly t: 'and'; readonly xs: readonly Formula[] }
  | { readonly t: 'or'; readonly xs: readonly Formula[] }
  | { readonly t: 'not'; readonly x: Formula }
  | { readonly t: 'const'; readonly v: boolean };

export const and = (...xs: Formula[]): Formula => ({ t: 'and', xs });
export const or = (...xs: Formula[]): Formula => ({ t: 'or', xs });
export const not = (x: Formula): Formula => ({ t: 'not', x });

export type Rep =
  | { readonly kind: 'absent' }
  | { readonly kind: 'object' }
  | { readonly kind: 'array' }
  | { readonly kind: 'scalar'; readonly value: unknown };

export interface SolverNode {
  /** Index of the parent node, or -1 for a top-level node. */
  readonly parent: number;
  readonly step: SelectorStep | null;
  readonly reps: readonly Rep[];
  /** Earlier array-index siblings (smaller indexes) that must exist when this one does. */
  readonly lowerSiblings: readonly number[];
}

export interface Problem {
  /** In tree pre-order: a parent always comes before its children. */
  readonly nodes: readonly SolverNode[];
  readonly atomNode: readonly number[];
  /** table[atom][rep]: the atom's truth when its node takes that representative. */
  readonly table: readonly (readonly boolean[])[];
}

const F = 0;
const T = 1;
const U = 2;
type K = 0 | 1 | 2;

export type SolveResult =
  | { status: 'sat'; assignment: number[] }
  | { status: 'unsat' }
  | { status: 'budget' };

/** Key of a residual formula, for memoising sub-searches that already failed. */
function keyOf(f: Formula): string {
  switch (f.t) {
    case 'atom':
      return String(f.id);
    case 'const':
      return f.v ? 'T' : 'F';
    case 'not':
      return `!${keyOf(f.x)}`;
    default:
      return `${f.t === 'and' ? '&' : '|'}(${f.xs.map(keyOf).join(',')})`;
  }
}

const KIND_CODE: Record<Rep['kind'], string> = { absent: '-', object: 'o', array: '[', scalar: 's' };

const TRUE: Formula = { t: 'const', v: true };
const FALSE: Formula = { t: 'const', v: false };

/** Partial evaluation: substitutes the atoms whose value is known and simplifies. */
function residual(f: Formula, atom: (id: number) => K): Formula {
  switch (f.t) {
    case 'const':
      return f;
    case 'atom': {
      const v = atom(f.id);
      return v === U ? f : v === T ? TRUE : FALSE;
    }
    case 'not': {
      const x = residual(f.x, atom);
      return x.t === 'const' ? (x.v ? FALSE : TRUE) : { t: 'not', x };
    }
    default: {
      const absorbing = f.t === 'or';
      const xs: Formula[] = [];
      for (const item of f.xs) {
        const r = residual(item, atom);
        if (r.t === 'const') {
          if (r.v === absorbing) return r;
          continue;
        }
        xs.push(r);
      }
      if (xs.length === 0) return absorbing ? FALSE : TRUE;
      return xs.length === 1 ? (xs[0] as Formula) : { t: f.t, xs };
    }
  }
}

/**
 * Finds an assignment (rep index per node) that makes `goal` true, or proves there is none.
 * Pruning: (1) the goal is partially evaluated after each node, so a false residual backtracks and
 * a true one stops; (2) a residual goal that already failed from the same depth and the same
 * structural context fails again (memoised), which keeps conjunctions over many independent fields
 * linear instead of exponential.
 * `budget` caps the steps; `deadline` caps the time (a step costs more on larger formulas), and
 * throws DecisionTimeout when it passes.
 */
export function solve(
  problem: Problem,
  goal: Formula,
  budget = 2_000_000,
  deadline: Deadline = NO_DEADLINE,
): SolveResult {
  const { nodes, atomNode, table } = problem;
  const assign: number[] = nodes.map(() => -1);
  const atom = (id: number): K => {
    const n = atomNode[id] as number;
    const r = assign[n] as number;
    if (r < 0) return U;
    return (table[id] as boolean[])[r] ? T : F;
  };
  let steps = 0;
  const absentIndex = nodes.map((n) => n.reps.findIndex((r) => r.kind === 'absent'));
  const failed = new Set<string>();
  const kindAt = (i: number): string => {
    const r = assign[i] as number;
    if (r < 0) return '?';
    return KIND_CODE[((nodes[i] as SolverNode).reps[r] as Rep).kind];
  };

  const allowed = (i: number, rep: Rep): boolean => {
    const node = nodes[i] as SolverNode;
    if (node.parent < 0) return true;
    const parentNode = nodes[node.parent] as SolverNode;
    const p = parentNode.reps[assign[node.parent] as number] as Rep;
    const fits =
      (p.kind === 'object' && typeof node.step === 'string') ||
      (p.kind === 'array' && typeof node.step === 'number');
    if (rep.kind === 'absent') return true;
    if (!fits) return false;
    for (const s of node.lowerSiblings) {
      const sr = (nodes[s] as SolverNode).reps[assign[s] as number] as Rep;
      if (sr.kind === 'absent') return false;
    }
    return true;
  };

  /** What of the assignment so far can still constrain nodes i..end: their assigned parents and siblings. */
  const context = (i: number): string => {
    let sig = '';
    for (let j = i; j < nodes.length; j++) {
      const node = nodes[j] as SolverNode;
      if (node.parent >= 0 && node.parent < i) sig += `${j}${kindAt(node.parent)}`;
      for (const s of node.lowerSiblings) if (s < i) sig += `${j}s${kindAt(s)}`;
    }
    return sig;
  };

  const search = (i: number, g: Formula): 'sat' | 'unsat' | 'budget' => {
    if (++steps > budget) return 'budget';
    // A step's cost grows with the nodes left (context) and the formula (residual): charge for both.
    deadline.tick(STAGE_SEARCH, 8 + nodes.length - i);
    const r = residual(g, atom);
    if (r.t === 'const' || i === nodes.length) {
      if (r.t !== 'const' || !r.v) return 'unsat';
      // Completing with "absent" everywhere keeps the structure consistent and the goal true.
      for (let j = i; j < nodes.length; j++) assign[j] = Math.max(0, absentIndex[j] as number);
      return 'sat';
    }
    const key = `${i}|${context(i)}|${keyOf(r)}`;
    if (failed.has(key)) return 'unsat';
    const node = nodes[i] as SolverNode;
    for (let rep = 0; rep < node.reps.length; rep++) {
      if (!allowed(i, node.reps[rep] as Rep)) continue;
      assign[i] = rep;
      const res = search(i + 1, r);
      if (res !== 'unsat') return res;
    }
    assign[i] = -1;
    if (failed.size < 500_000) failed.add(key);
    return 'unsat';
  };
  const res = search(0, goal);
  if (res === 'sat') return { status: 'sat', assignment: [...assign] };
  return { status: res };
}

/** The JSON object an assignment describes (absent nodes omitted, array gaps filled with null). */
export function buildEvent(problem: Problem, assignment: readonly number[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const values: unknown[] = [];
  problem.nodes.forEach((node, i) => {
    const rep = node.reps[assignment[i] as number] as Rep;
    if (rep.kind === 'absent') return;
    const value = rep.kind === 'object' ? {} : rep.kind === 'array' ? [] : rep.value;
    values[i] = value;
    const container = node.parent < 0 ? root : values[node.parent];
    if (Array.isArray(container) && typeof node.step === 'number') {
      while (container.length < node.step) container.push(null);
      container[node.step] = value;
    } else if (container !== null && typeof container === 'object' && typeof node.step === 'string') {
      // defineProperty, not assignment: a field named "__proto__" must become an own property.
      Object.defineProperty(container, node.step, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  });
  return root;
}
