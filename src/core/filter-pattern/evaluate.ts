/**
 * The evaluator: does a pattern match one log event? Semantics (AWS documents some; the rest are
 * our decisions, marked *, and can be confirmed against logs:TestMetricFilter):
 *
 * JSON patterns
 * - The event must parse as JSON and its root must be an object; anything else never matches (*).
 * - A selector walks `.name` through objects and `[i]` through arrays; any other step leaves the
 *   field absent.
 * - A selector landing on an object or array never matches: not `=`, not `!=`, not IS/NOT EXISTS
 *   (NOT EXISTS is false there, since the field exists).
 * - `!=` on an absent field does not match (observed). `!=` is otherwise the complement of `=`
 *   among present scalar values, so `!= "x"` matches null, numbers and booleans (*).
 * - `= "text"` (quoted or not, same meaning) matches string values only, case-sensitively, with
 *   `*` wildcards anywhere. `= *` (only asterisks) matches any present non-null scalar: strings,
 *   numbers (AWS documents `{ $.latency = * }`) and booleans (*); not null, not objects/arrays.
 * - A numeric literal (unquoted, e.g. `400`, `-1.5e3`) compares numerically, and only against
 *   JSON numbers (*): `= 400` does not match the string "400"; `"400"` quoted is a string.
 * - `<` `>` `<=` `>=` match JSON numbers only.
 * - `%regex%` with `=` matches string values in which the regex finds a match (*: not numbers).
 * - IS NULL / IS TRUE / IS FALSE test the JSON literal; NOT EXISTS is true only for an absent field.
 *
 * Term patterns: every plain term must occur in the line, no `-term` may occur, and when `?terms`
 * exist at least one must occur (*: AWS documents `?` only for all-`?` patterns). Phrases are
 * case-sensitive substrings; a `%regex%` term must be found in the line. Empty pattern: all events.
 *
 * Space-delimited patterns: the line splits on runs of spaces, except that "..." and [...] are
 * one field each (delimiters dropped); `...` in the pattern stands for any number of fields; without
 * one, the field count must be equal. Conditions: strings by wildcard, numbers numerically when the
 * field reads as a number (a non-numeric field fails `=`/`<`/... and passes `!=`), regexes by search.
 */
import type { LogEvent } from './api';
import type {
  JsonCondition,
  JsonExpr,
  Pattern,
  SelectorStep,
  SpaceExpr,
  SpacePattern,
  TermPattern,
  Value,
} from './ast';
import { nfaMatches } from './dfa';
import { globMatches, isMatchAll } from './glob';
import { regexNfa } from './regex';

/** The selected field does not exist. */
export const ABSENT: unique symbol = Symbol('absent');
export type FieldValue = unknown | typeof ABSENT;

export function resolveSelector(root: unknown, steps: readonly SelectorStep[]): FieldValue {
  let cur: unknown = root;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur) || step >= cur.length) return ABSENT;
      cur = cur[step];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, step))
        return ABSENT;
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return cur;
}

export function regexFinds(source: string, text: string): boolean {
  return nfaMatches(regexNfa(source), text);
}

/** `=` semantics of a value against a present, non-structured JSON value. */
function equalsValue(value: Value, v: unknown): boolean {
  switch (value.type) {
    case 'string':
      if (isMatchAll(value.text)) return v !== null;
      return typeof v === 'string' && globMatches(value.text, v);
    case 'number':
      return typeof v === 'number' && v === value.value;
    case 'regex':
      return typeof v === 'string' && regexFinds(value.source, v);
  }
}

export function evalCondition(c: JsonCondition, v: FieldValue): boolean {
  if (c.kind === 'notExists') return v === ABSENT;
  if (v === ABSENT || (v !== null && typeof v === 'object')) return false;
  if (c.kind === 'is') return c.test === 'NULL' ? v === null : c.test === 'TRUE' ? v === true : v === false;
  switch (c.op) {
    case '=':
      return equalsValue(c.value, v);
    case '!=':
      return !equalsValue(c.value, v);
    case '<':
      return typeof v === 'number' && v < c.value.value;
    case '>':
      return typeof v === 'number' && v > c.value.value;
    case '<=':
      return typeof v === 'number' && v <= c.value.value;
    case '>=':
      return typeof v === 'number' && v >= c.value.value;
  }
}

function evalJsonExpr(e: JsonExpr, root: unknown): boolean {
  if (e.kind === 'or') return e.items.some((i) => evalJsonExpr(i, root));
  if (e.kind === 'and') return e.items.every((i) => evalJsonExpr(i, root));
  return evalCondition(e, resolveSelector(root, e.selector));
}

export function termOccurs(match: TermPattern['terms'][number]['match'], line: string): boolean {
  return match.type === 'phrase' ? line.includes(match.text) : regexFinds(match.source, line);
}

function evalTerms(p: TermPattern, line: string): boolean {
  let anySeen = false;
  let anyHit = false;
  for (const t of p.terms) {
    const hit = termOccurs(t.match, line);
    if (t.mode === 'all' && !hit) return false;
    if (t.mode === 'none' && hit) return false;
    if (t.mode === 'any') {
      anySeen = true;
      anyHit ||= hit;
    }
  }
  return !anySeen || anyHit;
}

/** Splits a line into space-delimited fields; "quoted" and [bracketed] runs are one field. */
export function splitFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const close = ch === '"' ? '"' : ch === '[' ? ']' : null;
    if (close) {
      const end = line.indexOf(close, i + 1);
      if (end >= 0) {
        out.push(line.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    let j = i;
    while (j < line.length && !/\s/.test(line[j] as string)) j++;
    out.push(line.slice(i, j));
    i = j;
  }
  return out;
}

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function evalSpaceCondition(op: string, value: Value, field: string | undefined): boolean {
  if (field === undefined) return false;
  if (value.type === 'number') {
    const n = NUMERIC.test(field) ? Number(field) : Number.NaN;
    if (Number.isNaN(n)) return op === '!=';
    switch (op) {
      case '=':
        return n === value.value;
      case '!=':
        return n !== value.value;
      case '<':
        return n < value.value;
      case '>':
        return n > value.value;
      case '<=':
        return n <= value.value;
      default:
        return n >= value.value;
    }
  }
  const eq = value.type === 'string' ? globMatches(value.text, field) : regexFinds(value.source, field);
  return op === '=' ? eq : op === '!=' ? !eq : false;
}

function evalSpaceExpr(e: SpaceExpr, bound: ReadonlyMap<string, string>): boolean {
  if (e.kind === 'or') return e.items.some((i) => evalSpaceExpr(i, bound));
  if (e.kind === 'and') return e.items.every((i) => evalSpaceExpr(i, bound));
  return evalSpaceCondition(e.op, e.value, bound.get(e.name));
}

function evalSpace(p: SpacePattern, line: string): boolean {
  const tokens = splitFields(line);
  const fields = p.fields;
  const bound = new Map<string, string>();
  const check = (): boolean =>
    fields.every((f) => f.kind === 'ellipsis' || f.condition === null || evalSpaceExpr(f.condition, bound));
  // Backtracking over the ways `...` can absorb fields; patterns are short, so this stays cheap.
  const align = (fi: number, ti: number): boolean => {
    if (fi === fields.length) return ti === tokens.length && check();
    const f = fields[fi] as (typeof fields)[number];
    if (f.kind === 'ellipsis') {
      for (let k = ti; k <= tokens.length; k++) if (align(fi + 1, k)) return true;
      return false;
    }
    if (ti >= tokens.length) return false;
    const previous = bound.get(f.name);
    bound.set(f.name, tokens[ti] as string);
    const ok = align(fi + 1, ti + 1);
    if (previous === undefined) bound.delete(f.name);
    else bound.set(f.name, previous);
    return ok;
  };
  return align(0, 0);
}

/** JSON.parse, or ABSENT when the line is not JSON. */
function parseJsonLine(line: string): unknown {
  const t = line.trimStart();
  if (!t.startsWith('{')) return ABSENT;
  try {
    return JSON.parse(line);
  } catch {
    return ABSENT;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Does `p` match the raw log line `event`? JSON patterns parse the line; non-JSON never matches. */
export function matchesEvent(p: Pattern, event: string): boolean {
  switch (p.kind) {
    case 'json': {
      const root = parseJsonLine(event);
      return isPlainObject(root) && evalJsonExpr(p.expr, root);
    }
    case 'terms':
      return evalTerms(p, event);
    case 'space':
      return evalSpace(p, event);
  }
}

/**
 * Like matchesEvent, for an event that may already be parsed: an object is matched as JSON by JSON
 * patterns (without re-parsing) and as its JSON text by term and space-delimited patterns.
 */
export function matchesLogEvent(p: Pattern, event: LogEvent): boolean {
  if (typeof event === 'string') return matchesEvent(p, event);
  if (p.kind === 'json') return isPlainObject(event) && evalJsonExpr(p.expr, event);
  return matchesEvent(p, JSON.stringify(event));
}
