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
 * performance.now() with a skew that grows by `step` ms at every read while `step` is set, then stays:
 * the clock never goes back (it does not in Node, and the engine's CPU sample relies on it), so it is
 * restored only once the tests after it no longer read it.
 */
export function skewedClock(): { spy: jest.SpyInstance; step: (ms: number) => void } {
  const realNow = performance.now.bind(performance);
  let skew = 0;
  let stepMs = 0;
  const spy = jest.spyOn(performance, 'now').mockImplementation(() => {
    skew += stepMs;
    return realNow() + skew;
  });
  return {
    spy,
    step: (ms) => {
      stepMs = ms;
    },
  };
}
