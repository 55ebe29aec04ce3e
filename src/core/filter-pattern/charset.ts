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

/** Characters we prefer in witness strings, so examples read naturally. */
const NICE = 'xXyYzZ0123456789abcdefghijklmnopqrstuvwABCDEFGHIJKLMNOPQRSTUVW_-.:/ ';

/**
 * One representative code unit per elementary interval of the partition induced by `sets`:
 * any two characters in the same elementary interval are accepted by exactly the same sets.
 */
export function representatives(sets: readonly CharSet[]): number[] {
  const breaks = new Set<number>([0]);
  for (const set of sets) {
    for (const [a, b] of set) {
      breaks.add(a);
      if (b + 1 <= MAX_CODE_UNIT) breaks.add(b + 1);
    }
  }
  const starts = [...breaks].sort((x, y) => x - y);
  const reps: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    const lo = starts[i] as number;
    const hi = i + 1 < starts.length ? (starts[i + 1] as number) - 1 : MAX_CODE_UNIT;
    let chosen = -1;
    for (const ch of NICE) {
      const c = ch.charCodeAt(0);
      if (c >= lo && c <= hi) {
        chosen = c;
        break;
      }
    }
    if (chosen < 0) {
      // Prefer a printable ASCII character, then anything outside the surrogate range.
      if (hi >= 0x21 && lo <= 0x7e) chosen = Math.max(lo, 0x21);
      else if (lo >= 0xd800 && hi <= 0xdfff) chosen = lo;
      else if (lo < 0xd800 || hi > 0xdfff) chosen = lo >= 0xd800 && lo <= 0xdfff ? 0xe000 : lo;
      else chosen = lo;
    }
    reps.push(chosen);
  }
  return reps;
}
