/**
 * Thompson NFAs over UTF-16 code units, built from globs (JSON `*` wildcards), phrases (term
 * patterns) and the regex subset. Used for two things: matching a regex against a string, and the
 * coverage decision, which explores the product of several NFAs over a finite representative
 * alphabet to find every combination of accept/reject that some string realises.
 */
import { ANY, type CharSet, contains, representatives, single } from './charset';
import { type Deadline, NO_DEADLINE, STAGE_EXPLORE } from './deadline';

export interface Nfa {
  readonly start: number;
  readonly accept: number;
  /** epsilon[s]: states reachable from s by one epsilon move. */
  readonly epsilon: readonly (readonly number[])[];
  /** edges[s]: character-consuming moves. */
  readonly edges: readonly (readonly { readonly set: CharSet; readonly to: number }[])[];
}

/** Upper bound on NFA size, so a pathological `{m,n}` cannot exhaust memory. */
export const MAX_NFA_STATES = 20000;

export class NfaBuilder {
  readonly epsilon: number[][] = [];
  readonly edges: { set: CharSet; to: number }[][] = [];
  state(): number {
    if (this.epsilon.length >= MAX_NFA_STATES) throw new RangeError('automaton too large');
    this.epsilon.push([]);
    this.edges.push([]);
    return this.epsilon.length - 1;
  }
  eps(from: number, to: number): void {
    (this.epsilon[from] as number[]).push(to);
  }
  edge(from: number, set: CharSet, to: number): void {
    (this.edges[from] as { set: CharSet; to: number }[]).push({ set, to });
  }
  /** Appends `set` repeated min..max times (max = Infinity for unbounded) after `from`. */
  repeat(from: number, set: CharSet, min: number, max: number): number {
    let cur = from;
    for (let i = 0; i < min; i++) {
      const next = this.state();
      this.edge(cur, set, next);
      cur = next;
    }
    if (max === Number.POSITIVE_INFINITY) {
      const loop = this.state();
      this.eps(cur, loop);
      this.edge(loop, set, loop);
      return loop;
    }
    const end = this.state();
    this.eps(cur, end);
    for (let i = min; i < max; i++) {
      const next = this.state();
      this.edge(cur, set, next);
      this.eps(next, end);
      cur = next;
    }
    return end;
  }
  literal(from: number, text: string): number {
    let cur = from;
    for (let i = 0; i < text.length; i++) {
      const next = this.state();
      this.edge(cur, single(text.charCodeAt(i)), next);
      cur = next;
    }
    return cur;
  }
  finish(start: number, accept: number): Nfa {
    return { start, accept, epsilon: this.epsilon, edges: this.edges };
  }
}

/** Glob: the whole string must match; `*` matches any run of characters. */
export function globNfa(glob: string): Nfa {
  const b = new NfaBuilder();
  const start = b.state();
  let cur = start;
  const parts = glob.split('*');
  parts.forEach((part, i) => {
    cur = b.literal(cur, part);
    if (i < parts.length - 1) cur = b.repeat(cur, ANY, 0, Number.POSITIVE_INFINITY);
  });
  return b.finish(start, cur);
}

/** Phrase: the string must contain `text` somewhere. */
export function containsNfa(text: string): Nfa {
  const b = new NfaBuilder();
  const start = b.state();
  let cur = b.repeat(start, ANY, 0, Number.POSITIVE_INFINITY);
  cur = b.literal(cur, text);
  cur = b.repeat(cur, ANY, 0, Number.POSITIVE_INFINITY);
  return b.finish(start, cur);
}

function closure(nfa: Nfa, states: Iterable<number>): number[] {
  const seen = new Set<number>();
  const stack = [...states];
  while (stack.length > 0) {
    const s = stack.pop() as number;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const t of nfa.epsilon[s] ?? []) if (!seen.has(t)) stack.push(t);
  }
  return [...seen].sort((x, y) => x - y);
}

function step(nfa: Nfa, states: readonly number[], code: number): number[] {
  if (states.length === 0) return [];
  const next = new Set<number>();
  for (const s of states) {
    for (const e of nfa.edges[s] ?? []) if (contains(e.set, code)) next.add(e.to);
  }
  return next.size === 0 ? [] : closure(nfa, next);
}

/** Above this many DFA states per NFA we stop caching and simulate the NFA directly. */
const MAX_DFA_STATES = 4096;

/**
 * The subset construction of an NFA, built lazily and cached: each DFA state is an epsilon-closed
 * set of NFA states, and transitions are memoised per code unit. Shared by matching and exploration.
 */
class LazyDfa {
  private readonly ids = new Map<string, number>();
  readonly sets: number[][] = [];
  readonly accepting: boolean[] = [];
  private readonly trans: Map<number, number>[] = [];
  private readonly local: (CharSet[] | undefined)[] = [];
  readonly start: number;
  /** `deadline` is charged for every transition computed (by NFA states stepped), the costly part. */
  constructor(
    readonly nfa: Nfa,
    private readonly deadline: Deadline = NO_DEADLINE,
  ) {
    this.start = this.intern(closure(nfa, [nfa.start]));
  }
  get size(): number {
    return this.sets.length;
  }
  private intern(set: number[]): number {
    const key = set.join(',');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.ids.set(key, id);
      this.sets.push(set);
      this.accepting.push(set.includes(this.nfa.accept));
      this.trans.push(new Map());
    }
    return id;
  }
  /** The character sets on which the NFA states of DFA state `id` can move. */
  moves(id: number): CharSet[] {
    let sets = this.local[id];
    if (!sets) {
      sets = (this.sets[id] as number[]).flatMap((st) => (this.nfa.edges[st] ?? []).map((e) => e.set));
      this.local[id] = sets;
    }
    return sets;
  }
  next(id: number, code: number): number {
    const row = this.trans[id] as Map<number, number>;
    let to = row.get(code);
    if (to === undefined) {
      const from = this.sets[id] as number[];
      this.deadline.tick(STAGE_EXPLORE, from.length + 1);
      to = this.intern(step(this.nfa, from, code));
      row.set(code, to);
    }
    return to;
  }
}

const dfas = new WeakMap<Nfa, LazyDfa>();
function dfaOf(nfa: Nfa): LazyDfa {
  let d = dfas.get(nfa);
  if (!d || d.size > MAX_DFA_STATES) {
    d = new LazyDfa(nfa);
    dfas.set(nfa, d);
  }
  return d;
}

export function nfaMatches(nfa: Nfa, text: string): boolean {
  const dfa = dfaOf(nfa);
  let cur = dfa.start;
  for (let i = 0; i < text.length; i++) {
    if (dfa.size > MAX_DFA_STATES) return simulate(nfa, text);
    cur = dfa.next(cur, text.charCodeAt(i));
  }
  return dfa.accepting[cur] as boolean;
}

function simulate(nfa: Nfa, text: string): boolean {
  let cur = closure(nfa, [nfa.start]);
  for (let i = 0; i < text.length && cur.length > 0; i++) cur = step(nfa, cur, text.charCodeAt(i));
  return cur.includes(nfa.accept);
}

export interface StringClass {
  /** accepts[i]: whether nfas[i] accepts `text`. */
  readonly accepts: readonly boolean[];
  readonly text: string;
}

/** Strings we try first as witnesses for a class, because they read better than "" or "xx". */
const NICE_WITNESSES = ['x', 'example', 'other', 'x1'];

/**
 * Every combination of accept/reject over `nfas` that some string realises, each with a shortest
 * such string (BFS over the product of the subset constructions, on a representative alphabet).
 * `complete` is false when the exploration hit `limit` product states; the classes found are then
 * real but possibly not all of them. Throws DecisionTimeout when `deadline` passes: the state limit
 * alone does not bound the time (one product state of large automata can cost milliseconds).
 */
export function exploreStringClasses(
  nfas: readonly Nfa[],
  limit = 50000,
  deadline: Deadline = NO_DEADLINE,
): { classes: StringClass[]; complete: boolean } {
  // Fresh DFAs: exploration may visit many states we do not want to keep in the shared cache.
  const machines = nfas.map((n) => new LazyDfa(n, deadline));
  const startState = machines.map((d) => d.start);
  const seen = new Set<string>([startState.join(',')]);
  const byVector = new Map<string, StringClass>();
  const queue: { st: number[]; text: string }[] = [{ st: startState, text: '' }];
  let complete = true;
  for (let qi = 0; qi < queue.length && complete; qi++) {
    const { st, text } = queue[qi] as { st: number[]; text: string };
    const accepts = st.map((s, i) => (machines[i] as LazyDfa).accepting[s] as boolean);
    const vkey = accepts.map((a) => (a ? '1' : '0')).join('');
    if (!byVector.has(vkey)) byVector.set(vkey, { accepts, text });
    // Only the characters the current states can move on matter here; every other character
    // behaves like the one representative `representatives` picks for the rest (exact, and far
    // smaller than the global alphabet for literal-heavy patterns).
    const moves = st.flatMap((s, i) => (machines[i] as LazyDfa).moves(s));
    const alphabet = representatives(moves);
    deadline.tick(STAGE_EXPLORE, 1 + moves.length + alphabet.length * machines.length);
    for (const code of alphabet) {
      const next = st.map((s, i) => (machines[i] as LazyDfa).next(s, code));
      const k = next.join(',');
      if (seen.has(k)) continue;
      if (seen.size >= limit) {
        complete = false;
        break;
      }
      seen.add(k);
      queue.push({ st: next, text: text + String.fromCharCode(code) });
    }
  }
  // Swap in a friendlier witness where one realises the same class.
  const classes = [...byVector.values()].map((cls) => {
    if (cls.text !== '' && !/^x+$/.test(cls.text)) return cls;
    for (const nice of NICE_WITNESSES) {
      if (nfas.every((n, i) => nfaMatches(n, nice) === cls.accepts[i]))
        return { accepts: cls.accepts, text: nice };
    }
    return cls;
  });
  return { classes, complete };
}
