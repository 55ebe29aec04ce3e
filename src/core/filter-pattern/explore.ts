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
  /** The machines not dead in this state, ascending (a dead machine's state is implied). */
  readonly live: readonly number[];
  /** states[j]: the state of machine live[j]. */
  readonly states: readonly number[];
  readonly text: string;
}

interface SeenNode {
  children: Map<number, SeenNode> | undefined;
  here: boolean;
}

/**
 * The product states seen so far, as a trie over their live (machine, state) pairs, each pair one
 * number: no key is built or hashed as text, and a state with one live machine is one map lookup.
 */
class SeenStates {
  private readonly root: SeenNode = { children: undefined, here: false };
  size = 0;
  constructor(private readonly machines: number) {}

  /**
   * Adds the state whose live machines are `live` in `states` (with `dead[j]` marking those that
   * are not live after all): 'new', 'seen', or 'full' when it is new but `limit` states are known.
   */
  add(
    live: readonly number[],
    states: readonly number[],
    dead: (j: number) => boolean,
    limit: number,
  ): 'new' | 'seen' | 'full' {
    let node = this.root;
    for (let j = 0; j < live.length; j++) {
      if (dead(j)) continue;
      const pair = (states[j] as number) * this.machines + (live[j] as number);
      node.children ??= new Map();
      let child = node.children.get(pair);
      if (child === undefined) {
        child = { children: undefined, here: false };
        node.children.set(pair, child);
      }
      node = child;
    }
    if (node.here) return 'seen';
    if (this.size >= limit) return 'full';
    node.here = true;
    this.size++;
    return 'new';
  }
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
  const startLive = machines.flatMap((d, i) => (d.dead[d.start] ? [] : [i]));
  const start: ProductState = {
    live: startLive,
    states: startLive.map((i) => (machines[i] as LazyDfa).start),
    text: '',
  };
  const seen = new SeenStates(machines.length);
  seen.add(start.live, start.states, () => false, limit);
  const byVector = new Map<string, StringClass>();
  const queue: ProductState[] = [start];
  const targets: number[] = [];
  /** isDead[j]: the target of machine live[j] on the current character is its dead state. */
  const isDead: boolean[] = [];
  const deadTarget = (j: number): boolean => isDead[j] === true;
  let complete = true;
  for (let qi = 0; qi < queue.length && complete; qi++) {
    const { live, states, text } = queue[qi] as ProductState;
    let vkey = '';
    for (let j = 0; j < live.length; j++) {
      if ((machines[live[j] as number] as LazyDfa).accepting[states[j] as number]) vkey += `${live[j]},`;
    }
    if (!byVector.has(vkey)) {
      const accepts = machines.map(() => false);
      for (let j = 0; j < live.length; j++) {
        const i = live[j] as number;
        accepts[i] = (machines[i] as LazyDfa).accepting[states[j] as number] as boolean;
      }
      byVector.set(vkey, { accepts, text });
    }
    // Only the characters the live machines can move on matter here; every other character
    // behaves like the one representative the alphabet picks for the rest (exact, and far
    // smaller than the global alphabet for literal-heavy patterns).
    const alphabet = alphabetOfProduct(machines, live, states);
    deadline.tick(STAGE_EXPLORE, 1 + alphabet.length * (1 + live.length));
    for (const code of alphabet) {
      for (let j = 0; j < live.length; j++) {
        const m = machines[live[j] as number] as LazyDfa;
        const to = m.next(states[j] as number, code);
        targets[j] = to;
        isDead[j] = m.dead[to] as boolean;
      }
      const added = seen.add(live, targets, deadTarget, limit);
      if (added === 'seen') continue;
      if (added === 'full') {
        complete = false;
        break;
      }
      const nextLive: number[] = [];
      const nextStates: number[] = [];
      for (let j = 0; j < live.length; j++) {
        if (isDead[j]) continue;
        nextLive.push(live[j] as number);
        nextStates.push(targets[j] as number);
      }
      queue.push({ live: nextLive, states: nextStates, text: text + String.fromCharCode(code) });
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

/** The alphabet when no machine can move: one character stands for all. */
const NO_MOVES = alphabetOf([0]);

/** The representative alphabet of a product state: the common refinement of its live machines' alphabets. */
function alphabetOfProduct(
  machines: readonly LazyDfa[],
  live: readonly number[],
  states: readonly number[],
): number[] {
  if (live.length === 0) return NO_MOVES;
  const first = machines[live[0] as number] as LazyDfa;
  if (live.length === 1) return first.alphabet(states[0] as number);
  const breaks: number[] = [];
  for (let j = 0; j < live.length; j++) {
    for (const b of (machines[live[j] as number] as LazyDfa).breaks(states[j] as number)) breaks.push(b);
  }
  return alphabetOf(sortedDistinct(breaks));
}
