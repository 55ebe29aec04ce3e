/**
 * Public entry of the filter-pattern engine: parse, print, evaluate and compare CloudWatch Logs
 * filter patterns. Other modules import only from here.
 */
export * from './api';
export type {
  JsonCondition,
  JsonExpr,
  JsonPattern,
  Pattern,
  SelectorStep,
  SpaceExpr,
  SpaceField,
  SpacePattern,
  Term,
  TermPattern,
  Value,
} from './ast';
export { withCloudTrailFields } from './cloudtrail-witness';
export { clearEngineMemos, comparePatterns, decisionStalled, decisionTimedOut } from './compare';
export { DECISION_STALLED_NOTE, DECISION_TIMEOUT_NOTE, DEFAULT_DECISION_MS, threadCpuMs } from './deadline';
export {
  compareCached,
  DECISION_CACHE_SIZE,
  DecisionCache,
  type DecisionCacheStats,
  decisionCache,
} from './decision-cache';
export { PatternSyntaxError } from './errors';
export { matchesEvent, matchesLogEvent } from './evaluate';
export { Lru } from './lru';
export { MAX_PATTERN_LENGTH, MAX_REGEX_PER_PATTERN, parsePattern, parsePatternCached } from './parse';
export { printPattern, printPatternCached } from './print';
