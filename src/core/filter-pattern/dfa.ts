/**
 * The subset construction of an NFA, built lazily: each DFA state is an epsilon-closed set of NFA
 * states, transitions are memoised per code unit. Matching a string walks it; the coverage
 * decision's exploration (explore.ts) walks several at once and also asks each state which
 * characters it can move on (its alphabet) and whether it is dead (no NFA state left: it can never
 * accept again, whatever follows).
 */
import { alphabetOf, breaksOf, type CharSet, contains, sortNumbers } from './charset';
import { type Deadline, NO_DEADLINE, STAGE_EXPLORE } from './deadline';
import { closure, type Nfa, step } from './nfa';

/** Above this many DFA states per NFA we stop caching and simulate the NFA directly. */
export const MAX_DFA_STATES = 4096;

export class LazyDfa {
  /** DFA state ids by their NFA-state set: the one state itself when single, else the joined list. */
  private readonly ids = new Map<string | number, number>();
  readonly sets: number[][] = [];
  readonly accepting: boolean[] = [];
  /** dead[id]: the state holds no NFA state, so every string from here on is rejected. */
  readonly dead: boolean[] = [];
  /** trans[id][k]: the state reached on any character of the k-th elementary interval of breaks(id). */
  private readonly trans: number[][] = [];
  private readonly local: (CharSet[] | undefined)[] = [];
  private readonly breakCache: (number[] | undefined)[] = [];
  private readonly alphabetCache: (number[] | undefined)[] = [];
  readonly start: number;
  /** Scratch for stepping: mark[s] === generation when NFA state s is already in the set being built. */
  private readonly mark: Int32Array;
  private generation = 0;
  /** `deadline` is charged for every transition computed (by NFA states stepped), the costly part. */
  constructor(
    readonly nfa: Nfa,
    private readonly deadline: Deadline = NO_DEADLINE,
  ) {
    this.mark = new Int32Array(nfa.epsilon.length);
    this.start = this.intern(closure(nfa, [nfa.start]));
  }
  get size(): number {
    return this.sets.length;
  }
  private intern(set: number[]): number {
    const key = set.length === 1 ? (set[0] as number) : set.join(',');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.ids.set(key, id);
      this.sets.push(set);
      this.accepting.push(set.includes(this.nfa.accept));
      this.dead.push(set.length === 0);
      this.trans.push([]);
    }
    return id;
  }
  /** The character sets on which the NFA states of DFA state `id` can move. */
  moves(id: number): CharSet[] {
    let sets = this.local[id];
    if (!sets) {
      sets = [];
      for (const st of this.sets[id] as number[]) for (const e of this.nfa.edges[st] ?? []) sets.push(e.set);
      this.local[id] = sets;
    }
    return sets;
  }
  /** The sorted starts of the elementary intervals of this state's moves (see charset.breaksOf). */
  breaks(id: number): number[] {
    let b = this.breakCache[id];
    if (!b) {
      b = breaksOf(this.moves(id));
      this.breakCache[id] = b;
    }
    return b;
  }
  /** One character per class of characters this state cannot tell apart. */
  alphabet(id: number): number[] {
    let a = this.alphabetCache[id];
    if (!a) {
      a = alphabetOf(this.breaks(id));
      this.alphabetCache[id] = a;
    }
    return a;
  }
  /**
   * The state reached on `code`. Memoised per elementary interval of this state's moves rather than
   * per code unit: every character of one interval enables the same edges, so the exploration, which
   * tries one character per interval of the product, computes each move of a literal's state once.
   */
  next(id: number, code: number): number {
    const breaks = this.breaks(id);
    let lo = 0;
    let hi = breaks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((breaks[mid] as number) <= code) lo = mid;
      else hi = mid - 1;
    }
    const row = this.trans[id] as number[];
    let to = row[lo];
    if (to === undefined) {
      const from = this.sets[id] as number[];
      this.deadline.tick(STAGE_EXPLORE, from.length + 1);
      to = this.intern(this.step(from, code));
      row[lo] = to;
    }
    return to;
  }

  /** nfa.ts's step(), allocating nothing but the result (the DFA's hot path while it is being built). */
  private step(from: readonly number[], code: number): number[] {
    const { edges, epsilon } = this.nfa;
    const mark = this.mark;
    const generation = ++this.generation;
    const out: number[] = [];
    for (const s of from) {
      for (const e of edges[s] ?? []) {
        if (mark[e.to] !== generation && contains(e.set, code)) {
          mark[e.to] = generation;
          out.push(e.to);
        }
      }
    }
    // Epsilon closure: `out` doubles as the work list (every state in it is expanded once).
    for (let k = 0; k < out.length; k++) {
      for (const t of epsilon[out[k] as number] ?? []) {
        if (mark[t] !== generation) {
          mark[t] = generation;
          out.push(t);
        }
      }
    }
    return sortNumbers(out);
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
