/**
 * Sets of UTF-16 code units as sorted, disjoint, inclusive intervals. Every string predicate in the
 * engine (literal characters, `*`, regex classes) is built from these, which is what makes the
 * alphabet finite for the coverage decision: characters inside one elementary interval are
 * indistinguishable by every predicate.
 */

export type CharSet = readonly (readonly [number, number])[];

export const MAX_CODE_UNIT = 0xffff;
export const ANY: CharSet = [[0, MAX_CODE_UNIT]];

export function single(code: number): CharSet {
  return [[code, code]];
}

export function normalize(intervals: readonly (readonly [number, number])[]): CharSet {
  const sorted = [...intervals].filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function complement(set: CharSet): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [a, b] of set) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= MAX_CODE_UNIT) out.push([next, MAX_CODE_UNIT]);
  return out;
}

export function contains(set: CharSet, code: number): boolean {
  // Sets are tiny (a handful of intervals), a linear scan beats a binary search here.
  for (const [a, b] of set) {
    if (code < a) return false;
    if (code <= b) return true;
  }
  return false;
}

/** Characters we prefer in witness strings, so examples read naturally (earlier is preferred). */
const NICE = 'xXyYzZ0123456789abcdefghijklmnopqrstuvwABCDEFGHIJKLMNOPQRSTUVW_-.:/ ';

/**
 * NICE_IN[lo * 128 + hi]: the most preferred NICE character in [lo, hi] (lo <= hi < 128), or -1. Every
 * NICE character is ASCII, so this table answers the question for any interval in one read, where a
 * scan of NICE per interval was the exploration's single most frequent operation.
 */
const NICE_IN = (() => {
  const rank = new Int32Array(128).fill(-1);
  for (let i = NICE.length - 1; i >= 0; i--) rank[NICE.charCodeAt(i)] = i;
  const table = new Int32Array(128 * 128).fill(-1);
  for (let lo = 0; lo < 128; lo++) {
    let best = -1;
    for (let hi = lo; hi < 128; hi++) {
      const r = rank[hi] as number;
      if (r >= 0 && (best < 0 || r < (rank[best] as number))) best = hi;
      table[lo * 128 + hi] = best;
    }
  }
  return table;
})();

/** The character that stands for the elementary interval [lo, hi] in witness strings. */
function representative(lo: number, hi: number): number {
  if (lo < 128) {
    const nice = NICE_IN[lo * 128 + Math.min(hi, 127)] as number;
    if (nice >= 0) return nice;
  }
  // Prefer a printable ASCII character, then anything outside the surrogate range.
  if (hi >= 0x21 && lo <= 0x7e) return Math.max(lo, 0x21);
  if (lo >= 0xd800 && hi <= 0xdfff) return lo;
  if (lo < 0xd800 || hi > 0xdfff) return lo >= 0xd800 && lo <= 0xdfff ? 0xe000 : lo;
  return lo;
}

/**
 * The starts of the elementary intervals of the partition induced by `sets`, sorted and distinct;
 * always begins with 0.
 */
export function breaksOf(sets: readonly CharSet[]): number[] {
  const breaks = [0];
  for (const set of sets) {
    for (const [a, b] of set) {
      breaks.push(a);
      if (b + 1 <= MAX_CODE_UNIT) breaks.push(b + 1);
    }
  }
  return sortedDistinct(breaks);
}

/** Sorts numbers in place and drops repeats. */
export function sortedDistinct(xs: number[]): number[] {
  sortNumbers(xs);
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (i === 0 || xs[i] !== xs[n - 1]) xs[n++] = xs[i] as number;
  xs.length = n;
  return xs;
}

/**
 * Sorts numbers in place, ascending. The lists sorted here (interval bounds, NFA states of one DFA
 * state) are mostly a handful long, where an insertion sort beats Array.sort with its comparator.
 */
export function sortNumbers(xs: number[]): number[] {
  if (xs.length > 16) return xs.sort((x, y) => x - y);
  for (let i = 1; i < xs.length; i++) {
    const v = xs[i] as number;
    let j = i - 1;
    while (j >= 0 && (xs[j] as number) > v) {
      xs[j + 1] = xs[j] as number;
      j--;
    }
    xs[j + 1] = v;
  }
  return xs;
}

/**
 * One representative code unit per elementary interval, given the intervals' sorted starts (see
 * breaksOf): any two characters of one interval are accepted by exactly the same sets.
 */
export function alphabetOf(starts: readonly number[]): number[] {
  const reps: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    const lo = starts[i] as number;
    const hi = i + 1 < starts.length ? (starts[i + 1] as number) - 1 : MAX_CODE_UNIT;
    reps.push(representative(lo, hi));
  }
  return reps;
}
