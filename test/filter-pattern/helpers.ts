/**
 * Test helpers: an alternative printer that re-spells a pattern (spacing, quoting, clause order,
 * redundant parentheses) without changing its meaning, and a witness checker that replays the
 * witnesses of a comparison through the evaluator.
 */
import {
  type Comparison,
  type JsonCondition,
  type JsonExpr,
  type LogEvent,
  matchesEvent,
  type Pattern,
  parsePattern,
} from '../../src/core/filter-pattern';

export interface Spelling {
  /** Spaces around operators and inside braces. */
  spaced: boolean;
  /** Quote plain words (`"CreateTrail"`) or leave them bare (`CreateTrail`). */
  quoteWords: boolean;
  /** Reverse the clauses of every && and || (both are commutative). */
  reverse: boolean;
  /** Wrap every condition in one or two pairs of redundant parentheses. */
  parens: 0 | 1 | 2;
}

function selector(steps: readonly (string | number)[]): string {
  return `$${steps.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`;
}

function condition(c: JsonCondition, s: Spelling): string {
  const sp = s.spaced ? ' ' : '';
  const sel = selector(c.selector);
  if (c.kind === 'is') return `${sel} IS ${c.test}`;
  if (c.kind === 'notExists') return `${sel} NOT EXISTS`;
  let value: string;
  if (c.value.type === 'number') value = String(c.value.value);
  else if (c.value.type === 'regex') value = `%${c.value.source}%`;
  else if (!s.quoteWords && /^[A-Za-z_][A-Za-z0-9_.*-]*$/.test(c.value.text)) value = c.value.text;
  else value = JSON.stringify(c.value.text);
  return `${sel}${sp}${c.op}${sp}${value}`;
}

function expr(e: JsonExpr, s: Spelling, insideAnd: boolean): string {
  const sp = s.spaced ? ' ' : '';
  if (e.kind === 'and' || e.kind === 'or') {
    const items = s.reverse ? [...e.items].reverse() : e.items;
    const op = e.kind === 'and' ? '&&' : '||';
    const body = items.map((i) => expr(i, s, e.kind === 'and')).join(`${sp}${op}${sp}`);
    return e.kind === 'or' && (insideAnd || s.parens > 0) ? `(${body})` : body;
  }
  const text = condition(e, s);
  return s.parens === 0 ? text : s.parens === 1 ? `(${text})` : `((${text}))`;
}

/** The JSON pattern `text` spelled differently; parsing it gives the same meaning. */
export function respell(text: string, s: Spelling): string {
  const p = parsePattern(text);
  if (p.kind !== 'json') throw new Error('respell handles JSON patterns');
  const sp = s.spaced ? ' ' : '';
  return `{${sp}${expr(p.expr, s, false)}${sp}}`;
}

export const SPELLINGS: readonly Spelling[] = [
  { spaced: false, quoteWords: true, reverse: false, parens: 0 },
  { spaced: true, quoteWords: false, reverse: true, parens: 1 },
  { spaced: false, quoteWords: false, reverse: true, parens: 2 },
  { spaced: true, quoteWords: true, reverse: false, parens: 2 },
];

export function line(event: LogEvent): string {
  return typeof event === 'string' ? event : JSON.stringify(event);
}

/** Every witness is what it claims to be, according to the evaluator. */
export function expectVerifiedWitnesses(
  candidate: string | Pattern,
  reference: string | Pattern,
  r: Comparison,
): void {
  const c = typeof candidate === 'string' ? parsePattern(candidate) : candidate;
  const ref = typeof reference === 'string' ? parsePattern(reference) : reference;
  if (r.missed !== null) {
    expect(matchesEvent(ref, line(r.missed))).toBe(true);
    expect(matchesEvent(c, line(r.missed))).toBe(false);
  }
  if (r.extra !== null) {
    expect(matchesEvent(c, line(r.extra))).toBe(true);
    expect(matchesEvent(ref, line(r.extra))).toBe(false);
  }
  // The verdict and the witnesses tell the same story.
  const needsMissed = ['NARROWER', 'OVERLAPPING', 'DISJOINT'].includes(r.verdict);
  const needsExtra = ['BROADER', 'OVERLAPPING', 'DISJOINT'].includes(r.verdict);
  if (needsMissed) expect(r.missed).not.toBeNull();
  if (needsExtra) expect(r.extra).not.toBeNull();
  if (r.verdict === 'EQUIVALENT') expect([r.missed, r.extra]).toEqual([null, null]);
  if (r.verdict === 'BROADER') expect(r.missed).toBeNull();
  if (r.verdict === 'NARROWER') expect(r.extra).toBeNull();
}

/**
 * performance.now() with a skew that grows by `step` ms at every read while `step` is set, then stays,
 * and running `slow(factor)` times slower than real time once asked: the clock never goes back (it does
 * not in Node, and the engine's CPU sample relies on it), so it is restored only once the tests after it
 * no longer read it.
 */
export function skewedClock(): {
  spy: jest.SpyInstance;
  step: (ms: number) => void;
  slow: (factor: number) => void;
} {
  const realNow = performance.now.bind(performance);
  let skew = 0;
  let stepMs = 0;
  // Real time passes `factor` times slower from (realBase, base) on.
  let factor = 1;
  let realBase = realNow();
  let base = realBase;
  const unskewed = () => base + (realNow() - realBase) / factor;
  const spy = jest.spyOn(performance, 'now').mockImplementation(() => {
    skew += stepMs;
    return unskewed() + skew;
  });
  return {
    spy,
    step: (ms) => {
      stepMs = ms;
    },
    slow: (next) => {
      base = unskewed();
      realBase = realNow();
      factor = next;
    },
  };
}

/**
 * Slows the wall clock the deadlines read (performance.now) `factor` times until the spy is restored.
 * For tests that assert a decision used up its CPU budget ("stopped after N ms of engine time", a
 * timeout a cache keeps): on a loaded host (CI runs two suites side by side on 2 cores) the wall-clock
 * cap, 3x the budget, can end such a decision first, as "the host was too busy", which nothing keeps;
 * a 20 ms budget did so once. Not for tests of a pass's budget, which is charged by the smaller of the
 * CPU and the wall time: slowed, the wall would hide what they check.
 */
export function slowWallClock(factor = 10): jest.SpyInstance {
  const clock = skewedClock();
  clock.slow(factor);
  return clock.spy;
}

/**
 * The note of a 300 ms decision that had its whole budget, whether it spent it ("stopped after") or a
 * busy host's wall-clock cap ended it first ("too busy to give it"): what a test of a pass's budget
 * checks (a judgement given its full budget, not the floor), the wall clock left as it is.
 */
export const HAD_FULL_300_MS =
  /stopped after 300 ms of engine time|the host was too busy to give it 300 ms of engine time/;
