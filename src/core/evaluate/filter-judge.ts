/**
 * Does a metric filter's pattern do the control's job? Asks the filter-pattern engine (set semantics,
 * never text comparison) and keeps the answer with the example events that prove it. Results are
 * memoised: the same pattern shows up in many accounts.
 *
 * The rule:
 * - EQUIVALENT to the reference: accepted.
 * - BROADER (catches every reference event, and more): accepted with a warning and an example of the
 *   extra, UNLESS the extra is everyday activity, in which case the alarm fires all day and real findings
 *   drown, so it is rejected (`rejection`):
 *   - it matches every CloudTrail event (decided by the engine: it covers `EVERY_CLOUDTRAIL_EVENT`, which
 *     the empty pattern `""` also covers), or
 *   - it matches one of the control's benign events (ordinary, successful calls; control data).
 *   The peers' text regexes pass such filters (shared/CIS-4.md); the CIS v1.4/1.5 all-`||` 4.1 pattern is
 *   the classic case: `$.sourceIPAddress != "delivery.logs.amazonaws.com"` alone matches nearly every event.
 * - Anything else (NARROWER, OVERLAPPING, DISJOINT, UNKNOWN, SYNTAX_ERROR): not accepted; a filter that
 *   matches every CloudTrail event carries the match-all rejection whatever its verdict, as the reason
 *   worth telling.
 */
import {
  comparePatterns,
  covers,
  matchesLogEvent,
  type Pattern,
  PatternSyntaxError,
  parsePattern,
} from '../filter-pattern';
import type { LogEvent, Verdict } from '../filter-pattern/api';

/**
 * Every CloudTrail record has these scalar fields (AWS "CloudTrail record contents": Optional: False), so
 * a pattern that covers this one matches every event a trail delivers. Reading it as "any CloudTrail
 * event" rather than "any line" matters: a JSON pattern never matches a non-JSON line, so no JSON
 * pattern is literally match-all, yet `{ $.eventName = * }` fires on all activity.
 */
export const EVERY_CLOUDTRAIL_EVENT =
  '{ ($.eventVersion = *) && ($.eventTime = *) && ($.eventSource = *) && ($.eventName = *) && ($.awsRegion = *) && ($.sourceIPAddress = *) && ($.eventID = *) && ($.eventType = *) }';

export const MATCHES_EVERYTHING_DETAIL = 'matches every log event: the alarm would fire on all activity';

/** Why a filter that catches every reference event is still not accepted. */
export interface FilterRejection {
  /** `matches-everything`: it covers EVERY_CLOUDTRAIL_EVENT; `fires-on-benign`: it matches a benign event. */
  reason: 'matches-everything' | 'fires-on-benign';
  /** A clause for the link's detail, e.g. "matches every log event: the alarm would fire on all activity". */
  detail: string;
  /** `fires-on-benign`: the benign events it matches (first few), and their `service:EventName` labels. */
  benignExamples?: LogEvent[];
  benignCalls?: string[];
}

export interface FilterJudgement {
  /** The engine's verdict against the reference, or SYNTAX_ERROR when the filter's pattern does not parse. */
  verdict: Verdict | 'SYNTAX_ERROR';
  /**
   * The filter is accepted: it catches every event the reference catches (EQUIVALENT or BROADER) and is
   * not rejected as too broad (see `rejection`).
   */
  covers: boolean;
  /** An event the reference catches and the filter misses. */
  missed: LogEvent | null;
  /** An event the filter catches and the reference does not (noise). */
  extra: LogEvent | null;
  note?: string;
  /** Set when the filter catches every reference event but is rejected as too broad. */
  rejection?: FilterRejection;
}

const cache = new Map<string, FilterJudgement>();
const CACHE_LIMIT = 2000;
/** Cache keys of benign-event lists, by identity (the control's frozen array). */
const benignKeys = new WeakMap<readonly LogEvent[], string>();

function benignKey(events: readonly LogEvent[]): string {
  if (events.length === 0) return '';
  let key = benignKeys.get(events);
  if (key === undefined) {
    key = JSON.stringify(events);
    benignKeys.set(events, key);
  }
  return key;
}

/** `ec2:DescribeInstances` for a CloudTrail record; a short text otherwise. */
export function callLabel(event: LogEvent): string {
  if (typeof event === 'string') return event.length > 60 ? `${event.slice(0, 59)}…` : event;
  const source =
    typeof event.eventSource === 'string' ? event.eventSource.replace(/\.amazonaws\.com$/, '') : '?';
  const name = typeof event.eventName === 'string' ? event.eventName : '?';
  return `${source}:${name}`;
}

/** Does `candidate` match every CloudTrail event? Decided by the engine (exact for JSON patterns). */
export function matchesEveryEvent(candidate: string | Pattern): boolean {
  return covers(comparePatterns(candidate, EVERY_CLOUDTRAIL_EVENT));
}

const MATCHES_EVERYTHING: FilterRejection = Object.freeze({
  reason: 'matches-everything',
  detail: MATCHES_EVERYTHING_DETAIL,
});

function tooBroad(candidate: Pattern, benign: readonly LogEvent[]): FilterRejection | undefined {
  if (matchesEveryEvent(candidate)) return MATCHES_EVERYTHING;
  const hits = benign.filter((e) => matchesLogEvent(candidate, e));
  if (hits.length === 0) return undefined;
  const calls = [...new Set(hits.map(callLabel))];
  const shown = calls.slice(0, 2).join(' and ');
  return {
    reason: 'fires-on-benign',
    detail: `also fires on ordinary successful calls such as ${shown}; the alarm would drown real findings`,
    benignExamples: hits.slice(0, 3),
    benignCalls: calls,
  };
}

/**
 * Judges a filter's `pattern` against the control's `reference` pattern; `benignEvents` are the control's
 * ordinary successful records (Control.benignEvents) that a BROADER filter must not match.
 */
export function judgeFilter(
  pattern: string,
  reference: string,
  benignEvents: readonly LogEvent[] = [],
): FilterJudgement {
  const key = `${reference}\u0000${pattern}\u0000${benignKey(benignEvents)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let judgement: FilterJudgement;
  try {
    const candidate = parsePattern(pattern);
    const comparison = comparePatterns(candidate, reference);
    // A match-all filter may formally miss reference events that are not CloudTrail-shaped (e.g. one
    // without eventName, which `{ $.eventName = * }` misses): OVERLAPPING, not BROADER. Its real problem
    // is still that it fires on everything, so that is the reason given, whatever the verdict.
    const rejection =
      comparison.verdict === 'BROADER'
        ? tooBroad(candidate, benignEvents)
        : comparison.verdict !== 'EQUIVALENT' && matchesEveryEvent(candidate)
          ? MATCHES_EVERYTHING
          : undefined;
    judgement = {
      verdict: comparison.verdict,
      covers: covers(comparison) && rejection === undefined,
      missed: comparison.missed,
      extra: comparison.extra,
      ...(comparison.note !== undefined ? { note: comparison.note } : {}),
      ...(rejection !== undefined ? { rejection } : {}),
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

/**
 * How close a filter comes to being the one that should be there, for choosing the one a finding
 * shows: higher is closer. A filter rejected as too broad catches every reference event, so it ranks
 * above the ones that miss some (its fix is a narrower pattern, and its reason says so).
 */
export function closeness(j: FilterJudgement): number {
  if (j.rejection) return 4.5;
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
