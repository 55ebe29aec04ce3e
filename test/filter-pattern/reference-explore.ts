/**
 * The string exploration as it was written before the engine was optimised, kept as the reference the
 * optimised one (src/core/filter-pattern/explore.ts) must agree with: a breadth-first search over
 * tuples of NFA-state sets, every machine stepped on every character of the alphabet, the alphabet
 * recomputed from scratch, no memo of any kind. Slow and obviously faithful to its definition.
 */
import { type CharSet, MAX_CODE_UNIT } from '../../src/core/filter-pattern/charset';
import { closure, type Nfa, step } from '../../src/core/filter-pattern/nfa';

const NICE = 'xXyYzZ0123456789abcdefghijklmnopqrstuvwABCDEFGHIJKLMNOPQRSTUVW_-.:/ ';
const NICE_WITNESSES = ['x', 'example', 'other', 'x1'];

/** One character per elementary interval of the partition `sets` induce, preferring NICE ones. */
function representatives(sets: readonly CharSet[]): number[] {
  const breaks = new Set<number>([0]);
  for (const set of sets) {
    for (const [a, b] of set) {
      breaks.add(a);
      if (b + 1 <= MAX_CODE_UNIT) breaks.add(b + 1);
    }
  }
  const starts = [...breaks].sort((x, y) => x - y);
  return starts.map((lo, i) => {
    const hi = i + 1 < starts.length ? (starts[i + 1] as number) - 1 : MAX_CODE_UNIT;
    for (const ch of NICE) {
      const c = ch.charCodeAt(0);
      if (c >= lo && c <= hi) return c;
    }
    if (hi >= 0x21 && lo <= 0x7e) return Math.max(lo, 0x21);
    if (lo >= 0xd800 && hi <= 0xdfff) return lo;
    if (lo < 0xd800 || hi > 0xdfff) return lo >= 0xd800 && lo <= 0xdfff ? 0xe000 : lo;
    return lo;
  });
}

function accepts(nfa: Nfa, text: string): boolean {
  let cur = closure(nfa, [nfa.start]);
  for (let i = 0; i < text.length; i++) cur = step(nfa, cur, text.charCodeAt(i));
  return cur.includes(nfa.accept);
}

export function referenceExplore(
  nfas: readonly Nfa[],
  limit = 50000,
): { classes: { accepts: boolean[]; text: string }[]; complete: boolean } {
  const start = nfas.map((n) => closure(n, [n.start]));
  const seen = new Set<string>([JSON.stringify(start)]);
  const byVector = new Map<string, { accepts: boolean[]; text: string }>();
  const queue: { sets: number[][]; text: string }[] = [{ sets: start, text: '' }];
  let complete = true;
  for (let qi = 0; qi < queue.length && complete; qi++) {
    const { sets, text } = queue[qi] as { sets: number[][]; text: string };
    const vector = sets.map((s, i) => s.includes((nfas[i] as Nfa).accept));
    const vkey = JSON.stringify(vector);
    if (!byVector.has(vkey)) byVector.set(vkey, { accepts: vector, text });
    const moves = sets.flatMap((s, i) =>
      s.flatMap((st) => ((nfas[i] as Nfa).edges[st] ?? []).map((e) => e.set)),
    );
    for (const code of representatives(moves)) {
      const next = sets.map((s, i) => step(nfas[i] as Nfa, s, code));
      const key = JSON.stringify(next);
      if (seen.has(key)) continue;
      if (seen.size >= limit) {
        complete = false;
        break;
      }
      seen.add(key);
      queue.push({ sets: next, text: text + String.fromCharCode(code) });
    }
  }
  const classes = [...byVector.values()].map((cls) => {
    if (cls.text !== '' && !/^x+$/.test(cls.text)) return cls;
    const nice = NICE_WITNESSES.find((w) => nfas.every((n, i) => accepts(n, w) === cls.accepts[i]));
    return nice === undefined ? cls : { accepts: cls.accepts, text: nice };
  });
  return { classes, complete };
}
