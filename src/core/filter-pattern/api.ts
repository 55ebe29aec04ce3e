/**
 * The public contract of the filter-pattern engine (parse, evaluate, compare). The engine itself lives in
 * this folder; other modules import only from `./index`.
 */

/** How a candidate pattern's set of matched events relates to a reference pattern's set. */
export type Verdict = 'EQUIVALENT' | 'BROADER' | 'NARROWER' | 'OVERLAPPING' | 'DISJOINT' | 'UNKNOWN';

/** A log event: a parsed JSON event for JSON patterns, or the raw text line for term/space patterns. */
export type LogEvent = Record<string, unknown> | string;

export interface Comparison {
  verdict: Verdict;
  /** An event the reference matches and the candidate misses (why it is NARROWER/OVERLAPPING/DISJOINT). */
  missed: LogEvent | null;
  /** An event the candidate matches and the reference does not (the extra noise). */
  extra: LogEvent | null;
  /** Why the verdict is UNKNOWN, or other caveats (e.g. regex approximated). */
  note?: string;
}

/** Options of comparePatterns. */
export interface CompareOptions {
  /**
   * Time budget of the decision in milliseconds (default DEFAULT_DECISION_MS, 300): CPU time, capped at
   * 3x as much wall-clock time (deadline.ts). Past it the verdict is UNKNOWN with a note starting
   * "decision took too long" (see decisionTimedOut). Infinity: no budget.
   */
  deadlineMs?: number;
}

/** The candidate catches every event the reference catches. */
export function covers(comparison: Comparison): boolean {
  return comparison.verdict === 'EQUIVALENT' || comparison.verdict === 'BROADER';
}
