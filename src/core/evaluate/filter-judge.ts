/**
 * Does a metric filter's pattern catch every event the control's reference pattern catches? Asks the
 * filter-pattern engine (set semantics, never text comparison) and keeps the answer with the example
 * event that proves it. Results are memoised: the same pattern shows up in many accounts.
 */
import { comparePatterns, covers, PatternSyntaxError } from '../filter-pattern';
import type { LogEvent, Verdict } from '../filter-pattern/api';

export interface FilterJudgement {
  /** The engine's verdict, or SYNTAX_ERROR when the filter's pattern does not parse. */
  verdict: Verdict | 'SYNTAX_ERROR';
  /** The filter catches every event the reference catches (EQUIVALENT or BROADER). */
  covers: boolean;
  /** An event the reference catches and the filter misses. */
  missed: LogEvent | null;
  /** An event the filter catches and the reference does not (noise). */
  extra: LogEvent | null;
  note?: string;
}

const cache = new Map<string, FilterJudgement>();
const CACHE_LIMIT = 2000;

export function judgeFilter(pattern: string, reference: string): FilterJudgement {
  const key = `${reference}\u0000${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let judgement: FilterJudgement;
  try {
    const comparison = comparePatterns(pattern, reference);
    judgement = {
      verdict: comparison.verdict,
      covers: covers(comparison),
      missed: comparison.missed,
      extra: comparison.extra,
      ...(comparison.note !== undefined ? { note: comparison.note } : {}),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    judgement =
      error instanceof PatternSyntaxError
        ? { verdict: 'SYNTAX_ERROR', covers: false, missed: null, extra: null, note: message }
        : { verdict: 'UNKNOWN', covers: false, missed: null, extra: null, note: `engine error: ${message}` };
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, judgement);
  return judgement;
}

/** How close a non-covering filter comes, for choosing the one to show: higher is closer. */
export function closeness(j: FilterJudgement): number {
  switch (j.verdict) {
    case 'EQUIVALENT':
    case 'BROADER':
      return 5;
    case 'NARROWER':
      return 4;
    case 'OVERLAPPING':
      return 3;
    case 'UNKNOWN':
      return 2;
    case 'DISJOINT':
      return 1;
    case 'SYNTAX_ERROR':
      return 0;
  }
}
