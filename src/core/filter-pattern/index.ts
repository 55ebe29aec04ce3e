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
export { clearEngineMemos, comparePatterns, decisionTimedOut } from './compare';
export { DECISION_TIMEOUT_NOTE, DEFAULT_DECISION_MS } from './deadline';
export { PatternSyntaxError } from './errors';
export { matchesEvent, matchesLogEvent } from './evaluate';
export { MAX_PATTERN_LENGTH, MAX_REGEX_PER_PATTERN, parsePattern } from './parse';
export { printPattern } from './print';
