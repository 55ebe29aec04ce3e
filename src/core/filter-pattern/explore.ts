/**
 * The coverage decision's string exploration: every combination of accept/reject over several NFAs
 * that some string realises, each with a shortest such string. A breadth-first search over the
 * product of their subset constructions (dfa.ts), on a representative alphabet per product state.
 *
 * Only the machines still alive in a product state are stepped: a dead machine (a literal whose
 * prefix no longer fits, the common case among the 10-20 names of a CIS pattern) stays dead on
 * every character and moves on none, so skipping it changes neither the alphabet nor the states
 * reached, and a product state is identified by its live machines alone. That keeps the product of
 * N literals about as cheap as the trie of their texts instead of N times that.
 */
import { alphabetOf, sortedDistinct } from './charset';
import { type Deadline, NO_DEADLINE, STAGE_EXPLORE } from './deadline';
import { LazyDfa, nfaMatches } from './dfa';
import { Lru } from './lru';
import type { Nfa } from './nfa';

export interface StringClass {
  /** accepts[i]: whether nfas[i] accepts `text`. */
  readonly accepts: readonly boolean[];
  readonly text: string;
}

export interface Explored {
  readonly classes: readonly StringClass[];
  /** False when the exploration hit its state limit: the classes are real, but maybe not all. */
  readonly complete: boolean;
}

/** An automaton to explore, with a key naming how it is built (`g:` glob, `p:` phrase, `r:` regex + text). */
export interface KeyedNfa {
  readonly key: string;
  readonly nfa: () => Nfa;
}

/** Explorations already made, by their automata's keys (sorted). */
const memo = new Lru<string, Explored>(512);

/**
 * exploreStringClasses over keyed automata, memoised: the fields of a control's reference pattern
 * come back in decision after decision (every account, every candidate), and their exploration was
 * most of a decision's cost. Exact: the exploration's result depends only on the automata, which
 * their keys determine, and not on their order (the breadth-first search orders states by character
 * codes, never by machine), so one memo entry serves every order, each caller getting `accepts` in its
 * own order. An exploration stopped by the deadline throws and leaves nothing behind.
 */
export function exploreKeyed(atoms: readonly KeyedNfa[], deadline: Deadline = NO_DEADLINE): Explored {
  const order = atoms
    .map((_, i) => i)
    .sort((a, b) => compareKeys(atoms[a] as KeyedNfa, atoms[b] as KeyedNfa));
  const memoKey = JSON.stringify(order.map((i) => (atoms[i] as KeyedNfa).key));
  let sorted = memo.get(memoKey);
  if (sorted === undefined) {
    sorted = exploreStringClasses(
      order.map((i) => (atoms[i] as KeyedNfa).nfa()),
      undefined,
      deadline,
    );
    memo.set(memoKey, sorted);
  }
  const at: number[] = [];
  order.forEach((atom, position) => {
    at[atom] = position;
  });
  const classes = sorted.classes.map((c) => ({
    text: c.text,
    accepts: at.map((position) => c.accepts[position] as boolean),
  }));
  return { classes, complete: sorted.complete };
}

function compareKeys(a: KeyedNfa, b: KeyedNfa): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Forgets every memoised exploration (for measuring the engine cold). */
export function clearExplorationMemo(): void {
  memo.clear();
}

/** Strings we try first as witnesses for a class, because they read better than "" or "xx". */
const NICE_WITNESSES = ['x', 'example', 'other', 'x1'];

interface ProductState {
  /** st[i]: the state of machine i. */
  readonly st: readonly number[];
  /** The machines not dead in this state, ascending. */
  readonly live: readonly number[];
  readonly text: string;
}

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
): Explored {
  // Fresh DFAs: exploration may visit many states we do not want to keep in the shared cache.
  const machines = nfas.map((n) => new LazyDfa(n, deadline));
  const start = machines.map((d) => d.start);
  const startLive = machines.flatMap((d, i) => (d.dead[d.start] ? [] : [i]));
  /** A product state's identity: its live machines and their states (a dead machine's state is implied). */
  const seen = new Set<string>([startLive.map((i) => pairKey(i, start[i] as number)).join('')]);
  const byVector = new Map<string, StringClass>();
  const queue: ProductState[] = [{ st: start, live: startLive, text: '' }];
  const targets: number[] = [];
  let complete = true;
  for (let qi = 0; qi < queue.length && complete; qi++) {
    const { st, live, text } = queue[qi] as ProductState;
    let vkey = '';
    for (const i of live) if ((machines[i] as LazyDfa).accepting[st[i] as number]) vkey += `${i},`;
    if (!byVector.has(vkey)) {
      byVector.set(vkey, {
        accepts: st.map((s, i) => (machines[i] as LazyDfa).accepting[s] as boolean),
        text,
      });
    }
    // Only the characters the live machines can move on matter here; every other character
    // behaves like the one representative the alphabet picks for the rest (exact, and far
    // smaller than the global alphabet for literal-heavy patterns).
    const alphabet = alphabetOfProduct(machines, st, live);
    deadline.tick(STAGE_EXPLORE, 1 + alphabet.length * (1 + live.length));
    for (const code of alphabet) {
      let key = '';
      for (let j = 0; j < live.length; j++) {
        const i = live[j] as number;
        const m = machines[i] as LazyDfa;
        const to = m.next(st[i] as number, code);
        targets[j] = to;
        if (!m.dead[to]) key += pairKey(i, to);
      }
      if (seen.has(key)) continue;
      if (seen.size >= limit) {
        complete = false;
        break;
      }
      seen.add(key);
      const next = st.slice();
      const nextLive: number[] = [];
      for (let j = 0; j < live.length; j++) {
        const i = live[j] as number;
        const to = targets[j] as number;
        next[i] = to;
        if (!(machines[i] as LazyDfa).dead[to]) nextLive.push(i);
      }
      queue.push({ st: next, live: nextLive, text: text + String.fromCharCode(code) });
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

/**
 * One live machine's part of a product state's key: its index and its state, as three UTF-16 code
 * units (cheaper than decimal text; an index fits 16 bits, a pattern has at most a few hundred atoms).
 */
function pairKey(machine: number, state: number): string {
  return String.fromCharCode(machine, state & 0xffff, state >>> 16);
}

/** The alphabet when no machine can move: one character stands for all. */
const NO_MOVES = alphabetOf([0]);

/** The representative alphabet of a product state: the common refinement of its live machines' alphabets. */
function alphabetOfProduct(
  machines: readonly LazyDfa[],
  st: readonly number[],
  live: readonly number[],
): number[] {
  if (live.length === 1) {
    const i = live[0] as number;
    return (machines[i] as LazyDfa).alphabet(st[i] as number);
  }
  if (live.length === 0) return NO_MOVES;
  const breaks: number[] = [];
  for (const i of live) for (const b of (machines[i] as LazyDfa).breaks(st[i] as number)) breaks.push(b);
  return alphabetOf(sortedDistinct(breaks));
}
