/**
 * The coverage decision: how does the set of events a candidate pattern C matches relate to the set
 * a reference pattern R matches?
 *
 * - JSON vs JSON (with or without regexes) and term vs term: decided exactly by the finite-domain
 *   search in solver.ts over the representatives of domain.ts: we look for an event R matches and C
 *   misses ("missed"), one C matches and R misses ("extra"), and, when both exist, one both match
 *   (OVERLAPPING) or none (DISJOINT).
 * - Mixed families (JSON vs term, anything vs space-delimited): not decided in general (the raw
 *   text of a JSON event can be spelled many ways: key order, spacing, \u escapes). We decide the
 *   cases that follow from emptiness / match-everything, and otherwise search constructively for
 *   witnesses; when missed, extra and a common event are all found the verdict is OVERLAPPING
 *   (proved by the witnesses); else UNKNOWN with the witnesses found and a note.
 * Every witness returned has been re-checked with the evaluator (matchesEvent on its serialised
 * form); a witness that failed that check would be dropped and the verdict turned UNKNOWN.
 * Every decision runs against a time budget (deadline.ts): past it the verdict is UNKNOWN,
 * noted "decision took too long: ...", with any witness already found.
 */
import type { CompareOptions, Comparison, LogEvent, Verdict } from './api';
import type { JsonPattern, Pattern, SpacePattern, TermPattern } from './ast';
import {
  DECISION_STALLED_NOTE,
  DECISION_TIMEOUT_NOTE,
  DEFAULT_DECISION_MS,
  Deadline,
  DecisionTimeout,
  STAGE_SEARCH,
} from './deadline';
import { type BuiltProblem, jsonProblem, termProblem } from './domain';
import { matchesEvent } from './evaluate';
import { clearExplorationMemo } from './explore';
import { clearFieldDomainMemo } from './field-domain';
import { clearParseMemo, patternOf } from './parse';
import { printPattern } from './print';
import { and, buildEvent, type Formula, not, type SolveResult, solve } from './solver';

type Found = { kind: 'found'; event: LogEvent } | { kind: 'none' } | { kind: 'unknown' };

function serialise(event: LogEvent): string {
  return typeof event === 'string' ? event : JSON.stringify(event);
}

/**
 * Runs the solver for `goal`; the witness is an object for JSON problems, a string for terms.
 * Throws DecisionTimeout past the deadline.
 */
function find(built: BuiltProblem, goal: Formula, asText: boolean, deadline: Deadline): Found {
  const res: SolveResult = solve(built.problem, goal, undefined, deadline);
  if (res.status === 'budget') return { kind: 'unknown' };
  if (res.status === 'unsat') return built.complete ? { kind: 'none' } : { kind: 'unknown' };
  if (asText) {
    const node = built.problem.nodes[0];
    const rep = node?.reps[res.assignment[0] as number];
    return { kind: 'found', event: rep && rep.kind === 'scalar' ? String(rep.value) : '' };
  }
  return { kind: 'found', event: buildEvent(built.problem, res.assignment) };
}

function verdictOf(missed: boolean, extra: boolean, overlap: boolean): Verdict {
  if (!missed && !extra) return 'EQUIVALENT';
  if (!missed) return 'BROADER';
  if (!extra) return 'NARROWER';
  return overlap ? 'OVERLAPPING' : 'DISJOINT';
}

/** Checks that the witnesses really are what we claim, with the evaluator. */
function verified(c: Pattern, r: Pattern, result: Comparison): Comparison {
  const bad: string[] = [];
  if (result.missed !== null) {
    const line = serialise(result.missed);
    if (!matchesEvent(r, line) || matchesEvent(c, line)) bad.push('missed');
  }
  if (result.extra !== null) {
    const line = serialise(result.extra);
    if (!matchesEvent(c, line) || matchesEvent(r, line)) bad.push('extra');
  }
  if (bad.length === 0) return result;
  return {
    verdict: 'UNKNOWN',
    missed: bad.includes('missed') ? null : result.missed,
    extra: bad.includes('extra') ? null : result.extra,
    note: `internal check failed: the ${bad.join(' and ')} witness did not verify with the evaluator`,
  };
}

/** UNKNOWN for a decision that ran out of time, keeping the witnesses found before (they are real). */
function timedOut(error: unknown, missed: Found | null, extra: Found | null): Comparison {
  if (!(error instanceof DecisionTimeout)) throw error;
  return {
    verdict: 'UNKNOWN',
    missed: missed?.kind === 'found' ? missed.event : null,
    extra: extra?.kind === 'found' ? extra.event : null,
    note: error.message,
  };
}

function decideExact(built: BuiltProblem, asText: boolean, deadline: Deadline): Comparison {
  const [fc, fr] = built.formulas as [Formula, Formula];
  let missed: Found | null = null;
  let extra: Found | null = null;
  try {
    missed = find(built, and(fr, not(fc)), asText, deadline);
    extra = find(built, and(fc, not(fr)), asText, deadline);
  } catch (error) {
    return timedOut(error, missed, extra);
  }
  const unknownNote = 'the search space was too large to decide exactly; witnesses shown are real';
  if (missed.kind === 'unknown' || extra.kind === 'unknown') {
    return {
      verdict: 'UNKNOWN',
      missed: missed.kind === 'found' ? missed.event : null,
      extra: extra.kind === 'found' ? extra.event : null,
      note: unknownNote,
    };
  }
  let overlap = true;
  if (missed.kind === 'found' && extra.kind === 'found') {
    let both: Found;
    try {
      both = find(built, and(fc, fr), asText, deadline);
    } catch (error) {
      return timedOut(error, missed, extra);
    }
    if (both.kind === 'unknown') {
      return { verdict: 'UNKNOWN', missed: missed.event, extra: extra.event, note: unknownNote };
    }
    overlap = both.kind === 'found';
  }
  return {
    verdict: verdictOf(missed.kind === 'found', extra.kind === 'found', overlap),
    missed: missed.kind === 'found' ? missed.event : null,
    extra: extra.kind === 'found' ? extra.event : null,
  };
}

// ---------------------------------------------------------------- mixed pattern families

interface Profile {
  /** Can the pattern match anything? null when we cannot tell. */
  satisfiable: boolean | null;
  /** Does it match every line? null when we cannot tell. */
  matchesAll: boolean | null;
  /** Lines to try as witnesses. */
  samples: string[];
}

const escapeChar = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * The same JSON text with the first letter of every occurrence of each phrase \u-escaped (inside
 * string literals only): an identical JSON value whose raw text no longer contains the phrases.
 */
function dodge(plain: string, phrases: readonly string[]): string {
  let out = plain;
  for (let round = 0; round < 50; round++) {
    let changed = false;
    out = out.replace(/"(?:[^"\\]|\\.)*"/g, (lit) => {
      for (const p of phrases) {
        const at = p === '' ? -1 : lit.indexOf(p);
        if (at > 0 && /[A-Za-z0-9]/.test(lit[at] as string)) {
          changed = true;
          return lit.slice(0, at) + escapeChar(lit[at] as string) + lit.slice(at + 1);
        }
      }
      return lit;
    });
    if (!changed) break;
  }
  return out;
}

/** Strings a JSON witness can be spelled as, to dodge or hit term patterns. */
function spellings(obj: Record<string, unknown>, phrases: readonly string[]): string[] {
  const plain = JSON.stringify(obj);
  // Every letter and digit inside strings \u-escaped: same JSON value, different raw text.
  const escaped = plain.replace(/"(?:[^"\\]|\\.)*"/g, (s) => s.replace(/[A-Za-z0-9]/g, escapeChar));
  const out = [plain, dodge(plain, phrases), escaped];
  for (const p of phrases) out.push(JSON.stringify({ ...obj, message: p }));
  if (phrases.length > 0) out.push(JSON.stringify({ ...obj, message: phrases.join(' ') }));
  return out;
}

function termPhrases(p: Pattern): string[] {
  return p.kind === 'terms' ? p.terms.flatMap((t) => (t.match.type === 'phrase' ? [t.match.text] : [])) : [];
}

function jsonProfile(p: JsonPattern, phrases: readonly string[], deadline: Deadline): Profile {
  const built = jsonProblem([p.expr], deadline);
  const [f] = built.formulas as [Formula];
  const yes = find(built, f, false, deadline);
  const no = find(built, not(f), false, deadline);
  const samples: string[] = ['x'];
  if (yes.kind === 'found') samples.push(...spellings(yes.event as Record<string, unknown>, phrases));
  if (no.kind === 'found') samples.push(...spellings(no.event as Record<string, unknown>, phrases));
  return {
    satisfiable: yes.kind === 'found' ? true : yes.kind === 'none' ? false : null,
    // A JSON pattern never matches a line that is not JSON, such as "x".
    matchesAll: false,
    samples,
  };
}

function termProfile(p: TermPattern, deadline: Deadline): Profile {
  const built = termProblem([p], deadline);
  const [f] = built.formulas as [Formula];
  const yes = find(built, f, true, deadline);
  const no = find(built, not(f), true, deadline);
  const samples: string[] = [];
  if (yes.kind === 'found') samples.push(yes.event as string);
  if (no.kind === 'found') samples.push(no.event as string);
  return {
    satisfiable: yes.kind === 'found' ? true : yes.kind === 'none' ? false : null,
    matchesAll: no.kind === 'none' ? true : no.kind === 'found' ? false : null,
    samples,
  };
}

/** Candidate lines for a space-delimited pattern: a few tokens per field from its conditions. */
function spaceProfile(p: SpacePattern): Profile {
  const options = p.fields.map((f): string[] => {
    if (f.kind === 'ellipsis') return ['', 'x'];
    const tokens = new Set<string>();
    const visit = (e: NonNullable<typeof f.condition>): void => {
      if (e.kind !== 'compare') {
        e.items.forEach(visit);
        return;
      }
      if (e.name !== f.name) return;
      if (e.value.type === 'string') {
        tokens.add(e.value.text.replace(/\*/g, '') || 'x');
        tokens.add(e.value.text.replace(/\*/g, 'x'));
      } else if (e.value.type === 'number') {
        tokens.add(String(e.value.value));
        tokens.add(String(e.value.value + 1));
        tokens.add(String(e.value.value - 1));
      }
    };
    if (f.condition) visit(f.condition);
    tokens.add('x');
    return [...tokens].slice(0, 4);
  });
  const lines: string[] = [];
  const walk = (i: number, acc: string[]): void => {
    if (lines.length >= 256) return;
    if (i === options.length) {
      lines.push(acc.filter((t) => t !== '').join(' '));
      return;
    }
    for (const o of options[i] as string[]) walk(i + 1, [...acc, o]);
  };
  walk(0, []);
  lines.push('x', '');
  return { satisfiable: null, matchesAll: null, samples: lines };
}

function profile(p: Pattern, other: Pattern, deadline: Deadline): Profile {
  if (p.kind === 'json') return jsonProfile(p, termPhrases(other), deadline);
  if (p.kind === 'terms') return termProfile(p, deadline);
  return spaceProfile(p);
}

/** Throws DecisionTimeout past the deadline (comparePatterns turns it into UNKNOWN). */
function decideMixed(c: Pattern, r: Pattern, deadline: Deadline): Comparison {
  const pc = profile(c, r, deadline);
  const pr = profile(r, c, deadline);
  let missed: string | null = null;
  let extra: string | null = null;
  let both: string | null = null;
  for (const line of [...pr.samples, ...pc.samples]) {
    deadline.tick(STAGE_SEARCH, 1 + line.length);
    const inC = matchesEvent(c, line);
    const inR = matchesEvent(r, line);
    if (inR && !inC) missed ??= line;
    else if (inC && !inR) extra ??= line;
    else if (inC && inR) both ??= line;
  }
  // Exact consequences of emptiness and match-everything.
  if (pc.satisfiable === false || pr.matchesAll === true) {
    // C matches nothing, or R matches everything: C never catches anything R does not.
    if (missed === null && (pr.satisfiable === false || pc.matchesAll === true)) {
      return { verdict: 'EQUIVALENT', missed: null, extra: null };
    }
    if (missed !== null) return { verdict: 'NARROWER', missed, extra: null };
  }
  if (pr.satisfiable === false || pc.matchesAll === true) {
    if (extra !== null) return { verdict: 'BROADER', missed: null, extra };
  }
  if (missed !== null && extra !== null && both !== null) return { verdict: 'OVERLAPPING', missed, extra };
  const families = `${c.kind} vs ${r.kind}`;
  const why =
    c.kind === 'space' || r.kind === 'space'
      ? 'space-delimited patterns are only evaluated, not decided'
      : 'the raw text of a JSON event can be spelled many ways';
  return {
    verdict: 'UNKNOWN',
    missed,
    extra,
    note:
      `${families} patterns are not decided exactly (${why}); ` +
      (missed !== null
        ? 'the candidate does NOT cover the reference: the missed event proves it'
        : 'no missed event was found by search, which does not prove coverage'),
  };
}

function decide(c: Pattern, r: Pattern, deadline: Deadline): Comparison {
  if (c.kind === 'json' && r.kind === 'json') {
    return decideExact(jsonProblem([c.expr, r.expr], deadline), false, deadline);
  }
  if (c.kind === 'terms' && r.kind === 'terms') {
    return decideExact(termProblem([c, r], deadline), true, deadline);
  }
  if (c.kind === 'space' && r.kind === 'space' && printPattern(c) === printPattern(r)) {
    return { verdict: 'EQUIVALENT', missed: null, extra: null };
  }
  return decideMixed(c, r, deadline);
}

/**
 * Forgets what the engine memoises across decisions (parses, explorations, field domains), so a
 * benchmark can measure decisions made from scratch. Never needed for correctness.
 */
export function clearEngineMemos(): void {
  clearParseMemo();
  clearExplorationMemo();
  clearFieldDomainMemo();
}

/**
 * Compares a candidate pattern with a reference pattern. Strings are parsed first (and may throw
 * PatternSyntaxError). Witness events are JSON objects for JSON-vs-JSON comparisons and raw lines
 * otherwise. The decision gets `options.deadlineMs` (default DEFAULT_DECISION_MS) of engine time;
 * past it the verdict is UNKNOWN with a note starting "decision took too long".
 */
export function comparePatterns(
  candidate: string | Pattern,
  reference: string | Pattern,
  options: CompareOptions = {},
): Comparison {
  const c = patternOf(candidate);
  const r = patternOf(reference);
  const deadline = new Deadline(options.deadlineMs ?? DEFAULT_DECISION_MS);
  let result: Comparison;
  try {
    result = decide(c, r, deadline);
  } catch (error) {
    // Building the problem (string exploration) timed out: no witness yet.
    result = timedOut(error, null, null);
  }
  return verified(c, r, result);
}

/** Did this comparison stop at its deadline (UNKNOWN, "decision took too long")? */
export function decisionTimedOut(comparison: Comparison): boolean {
  return comparison.verdict === 'UNKNOWN' && (comparison.note ?? '').startsWith(DECISION_TIMEOUT_NOTE);
}

/** Did the wall-clock cap stop it before its CPU budget was spent (DECISION_STALLED_NOTE: not to be kept)? */
export function decisionStalled(comparison: Comparison): boolean {
  return comparison.verdict === 'UNKNOWN' && (comparison.note ?? '').startsWith(DECISION_STALLED_NOTE);
}
