/**
 * Thompson NFAs over UTF-16 code units, built from globs (JSON `*` wildcards), phrases (term
 * patterns) and the regex subset, and their two basic moves (epsilon closure, one character). The
 * subset construction is dfa.ts; the coverage decision's exploration of several at once, explore.ts.
 */
import { ANY, type CharSet, contains, single } from './charset';

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

/** The epsilon closure of `states`, sorted. */
export function closure(nfa: Nfa, states: Iterable<number>): number[] {
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

/** The states reached from `states` on `code`, epsilon-closed. */
export function step(nfa: Nfa, states: readonly number[], code: number): number[] {
  if (states.length === 0) return [];
  const next = new Set<number>();
  for (const s of states) {
    for (const e of nfa.edges[s] ?? []) if (contains(e.set, code)) next.add(e.to);
  }
  return next.size === 0 ? [] : closure(nfa, next);
}
