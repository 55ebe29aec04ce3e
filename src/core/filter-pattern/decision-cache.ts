/**
 * The process-wide cache of coverage decisions (issue 18): 1,000 accounts carrying the same metric
 * filters cost one decision per distinct (filter, control) pair, not one per account, across every
 * audit the process runs.
 *
 * - Key: the canonical printed forms of both patterns (printPattern), so spacing, quoting and
 *   redundant parentheses do not defeat it. A decision depends only on the two parsed patterns, and
 *   equal canonical forms mean equal parses, so a hit returns exactly what deciding again would.
 * - Size: a bounded LRU of DECISION_CACHE_SIZE entries, whatever the number of accounts or audits.
 * - UNKNOWN because the decision ran out of time: kept, with the budget it had, and served only to
 *   requests with the same or a smaller budget (they would run out too, and a planted costly filter
 *   must not cost its full budget again in every account). A request with a larger budget decides
 *   again and replaces the entry. Not kept when the wall-clock cap stopped it before its CPU budget
 *   was spent (decisionStalled: the host was busy, the pattern may be cheap). Every other verdict,
 *   including UNKNOWN from a search limit or a mixed-family comparison (those do not depend on time),
 *   is final.
 * Results are frozen, witnesses included: one object is handed to every caller.
 */
import type { CompareOptions, Comparison } from './api';
import type { Pattern } from './ast';
import { comparePatterns, decisionStalled, decisionTimedOut } from './compare';
import { DEFAULT_DECISION_MS } from './deadline';
import { deepFreeze } from './freeze';
import { Lru } from './lru';
import { patternOf } from './parse';
import { printPatternCached } from './print';

/** Entries of the process-wide cache: ~16 controls x the distinct filters of an organisation, with room. */
export const DECISION_CACHE_SIZE = 4096;

interface Entry {
  readonly comparison: Comparison;
  /** Set when the decision ran out of time: the budget it had, in ms. */
  readonly timedOutAfterMs?: number;
}

export interface DecisionCacheStats {
  size: number;
  capacity: number;
  hits: number;
  misses: number;
}

/** A bounded cache of comparePatterns results keyed by both canonical forms (see the module comment). */
export class DecisionCache {
  private readonly entries: Lru<string, Entry>;
  private hits = 0;
  private misses = 0;

  constructor(readonly capacity = DECISION_CACHE_SIZE) {
    this.entries = new Lru(capacity);
  }

  /**
   * comparePatterns(candidate, reference, options), answered from the cache when it can be. Strings
   * are parsed first and may throw PatternSyntaxError (syntax errors are not cached).
   */
  compare(
    candidate: string | Pattern,
    reference: string | Pattern,
    options: CompareOptions = {},
  ): Comparison {
    const c = patternOf(candidate);
    const r = patternOf(reference);
    const key = `${printPatternCached(c)}\u0000${printPatternCached(r)}`;
    const budget = options.deadlineMs ?? DEFAULT_DECISION_MS;
    const entry = this.entries.get(key);
    if (entry !== undefined && !(entry.timedOutAfterMs !== undefined && budget > entry.timedOutAfterMs)) {
      this.hits++;
      return entry.comparison;
    }
    this.misses++;
    const comparison = deepFreeze(comparePatterns(c, r, { deadlineMs: budget }));
    if (decisionStalled(comparison)) return comparison;
    this.entries.set(
      key,
      decisionTimedOut(comparison) ? { comparison, timedOutAfterMs: budget } : { comparison },
    );
    return comparison;
  }

  stats(): DecisionCacheStats {
    return { size: this.entries.size, capacity: this.capacity, hits: this.hits, misses: this.misses };
  }

  clear(): void {
    this.entries.clear();
    this.hits = 0;
    this.misses = 0;
  }
}

/** The one cache every audit in this process shares. */
export const decisionCache = new DecisionCache();

/** comparePatterns through the process-wide decision cache. */
export function compareCached(
  candidate: string | Pattern,
  reference: string | Pattern,
  options: CompareOptions = {},
): Comparison {
  return decisionCache.compare(candidate, reference, options);
}
