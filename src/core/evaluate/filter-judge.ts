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
 *
 * Time: the engine runs synchronously, and a valid pattern (anyone with logs:PutMetricFilter can plant
 * one) can be very costly to decide. So each of a judgement's (at most two) engine decisions has a
 * budget (JUDGE_DEADLINE_MS; see filter-pattern/deadline.ts); past it the verdict is UNKNOWN, "decision
 * took too long", which fails the link like any other UNKNOWN. Engine decisions go through the
 * process-wide decision cache (filter-pattern/decision-cache.ts: keyed by both canonical forms,
 * bounded, shared by every audit), and judgements are kept in a bounded LRU keyed by the canonical
 * forms of filter and reference (spacing and redundant parentheses do not defeat it) and the benign
 * events; a pattern that ran out of time against a reference is not decided again against any
 * reference; and one uninterrupted synchronous stretch of judging (an audit pass over the up to 100
 * filters of a log group) spends about STRETCH_BUDGET_MS in the engine at most (counted beyond each
 * judgement's first JUDGE_FLOOR_MS: see chargeStretch) before each further new pattern gets only
 * JUDGE_FLOOR_MS (real-world patterns decide in a few ms). A judgement cut short that way is not
 * cached: the next audit decides it again; nor is one whose decision the wall-clock cap stopped before
 * its CPU budget was spent (decisionStalled: the host kept the thread from running, the pattern may be
 * cheap), or a busy minute would fail that filter in every later audit until a restart.
 *
 * The example events of a judgement (missed, extra) are shown as CloudTrail records
 * (withCloudTrailFields): the fields CloudTrail always writes are added where neither pattern looks.
 */
import {
  type CompareOptions,
  compareCached,
  covers,
  DECISION_TIMEOUT_NOTE,
  decisionStalled,
  decisionTimedOut,
  Lru,
  matchesLogEvent,
  type Pattern,
  PatternSyntaxError,
  parsePatternCached,
  printPatternCached,
  threadCpuMs,
  withCloudTrailFields,
} from '../filter-pattern';
import type { LogEvent, Verdict } from '../filter-pattern/api';

/** Budget of each engine decision of a judgement (vs the reference, the match-all check), in ms. */
export const JUDGE_DEADLINE_MS = 300;
/** Engine time allowed per uninterrupted synchronous stretch of judgements before the floor applies. */
export const STRETCH_BUDGET_MS = 1000;
/** The budget of a new judgement once the stretch budget is spent. */
export const JUDGE_FLOOR_MS = 10;

export interface JudgeOptions {
  /** Budget of this judgement in ms instead of JUDGE_DEADLINE_MS (the stretch budget still applies). */
  deadlineMs?: number;
}

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
  /** An event the reference catches and the filter misses (a CloudTrail-shaped record when JSON). */
  missed: LogEvent | null;
  /** An event the filter catches and the reference does not (noise; a CloudTrail-shaped record when JSON). */
  extra: LogEvent | null;
  note?: string;
  /** Set when the filter catches every reference event but is rejected as too broad. */
  rejection?: FilterRejection;
}

/** Judgements kept (bounded: the number of accounts audited does not change it). */
export const JUDGEMENT_CACHE_SIZE = 4096;
const cache = new Lru<string, FilterJudgement>(JUDGEMENT_CACHE_SIZE);
/** Canonical patterns whose decision ran out of its full budget, with the note: not decided again. */
const tooCostly = new Lru<string, string>(1024);

/**
 * Engine time spent since the event loop last got a turn. Reset from a setImmediate callback, which
 * runs only once the current synchronous work (e.g. an audit pass over every filter) is over.
 */
let stretchSpent = 0;
let stretchResetPending = false;

/** Where a judgement's engine time is read from: the thread's CPU time and the wall clock. */
interface StretchClock {
  cpu: number;
  wall: number;
}

function stretchClock(): StretchClock {
  return { cpu: threadCpuMs(), wall: performance.now() };
}

/**
 * Charges the stretch with what a judgement begun at `from` cost beyond JUDGE_FLOOR_MS. The cost is the
 * thread's CPU time, or the wall time where that is less (on a Node without a thread clock the CPU time
 * is the process's: see filter-pattern/deadline.ts): time this thread waited while other processes or
 * threads ran is not engine time. The floor is free because every judgement gets it even once the
 * stretch is spent, so charging it bounds nothing: it only let ordinary patterns use up the budget meant
 * for costly ones. Judging the section's 15 patterns against each other in a new thread (cold code, as in
 * a new audit worker) takes ~550 ms; on a loaded host charged by the wall clock it went past 1,000 ms and
 * the last patterns of an account's log group got 10 ms: UNKNOWN, the account's links failed for nothing.
 */
function chargeStretch(from: StretchClock): void {
  const to = stretchClock();
  const spent = Math.min(to.cpu - from.cpu, to.wall - from.wall);
  stretchSpent += Math.max(0, spent - JUDGE_FLOOR_MS);
  if (stretchResetPending) return;
  stretchResetPending = true;
  setImmediate(() => {
    stretchSpent = 0;
    stretchResetPending = false;
  }).unref();
}

/**
 * A short cache-key part for a list of benign events: an id per distinct content (so equal lists
 * built twice share entries), remembered per list by identity (the control's frozen array). The ids
 * keep the judgement keys short; an id is never reused, so an evicted content only costs a miss.
 */
const benignIds = new WeakMap<readonly LogEvent[], string>();
const benignIdsByContent = new Lru<string, string>(256);
let nextBenignId = 1;

function benignKey(events: readonly LogEvent[]): string {
  if (events.length === 0) return '';
  let id = benignIds.get(events);
  if (id === undefined) {
    const content = JSON.stringify(events);
    id = benignIdsByContent.get(content);
    if (id === undefined) {
      id = `b${nextBenignId++}`;
      benignIdsByContent.set(content, id);
    }
    benignIds.set(events, id);
  }
  return id;
}

/**
 * A short id per canonical pattern text, for the judgement cache's keys. The texts come from the parse and
 * print caches (the same string each time, whose hash V8 keeps), while a key concatenated from the whole
 * texts is a new string on every lookup, hashed and compared over its full length: at 1,000 accounts x 15
 * filters x 16 controls that was most of the cache's cost. Bounded; an evicted text gets a new id (a
 * miss, never a wrong hit: ids are never reused).
 */
const textIds = new Lru<string, string>(JUDGEMENT_CACHE_SIZE);
let nextTextId = 1;

function textId(text: string): string {
  let id = textIds.get(text);
  if (id === undefined) {
    id = `p${nextTextId++}`;
    textIds.set(text, id);
  }
  return id;
}

/** The canonical form of a reference pattern (its own text when it does not parse: judge() reports that). */
function canonicalText(text: string): string {
  try {
    return printPatternCached(parsePatternCached(text));
  } catch {
    return text;
  }
}

/** `ec2:DescribeInstances` for a CloudTrail record; a short text otherwise. */
export function callLabel(event: LogEvent): string {
  if (typeof event === 'string') return event.length > 60 ? `${event.slice(0, 59)}…` : event;
  const source =
    typeof event.eventSource === 'string' ? event.eventSource.replace(/\.amazonaws\.com$/, '') : '?';
  const name = typeof event.eventName === 'string' ? event.eventName : '?';
  return `${source}:${name}`;
}

/**
 * Does `candidate` match every CloudTrail event? Decided by the engine (exact for JSON patterns); false
 * when the decision runs out of `options.deadlineMs`.
 */
export function matchesEveryEvent(candidate: string | Pattern, options: CompareOptions = {}): boolean {
  return covers(compareCached(candidate, EVERY_CLOUDTRAIL_EVENT, options));
}

const MATCHES_EVERYTHING: FilterRejection = Object.freeze({
  reason: 'matches-everything',
  detail: MATCHES_EVERYTHING_DETAIL,
});

function tooBroad(
  candidate: Pattern,
  benign: readonly LogEvent[],
  matchAll: boolean,
): FilterRejection | undefined {
  if (matchAll) return MATCHES_EVERYTHING;
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
 * ordinary successful records (Control.benignEvents) that a BROADER filter must not match. Never takes
 * much longer than its budget (see the module comment); never throws.
 */
export function judgeFilter(
  pattern: string,
  reference: string,
  benignEvents: readonly LogEvent[] = [],
  options: JudgeOptions = {},
): FilterJudgement {
  let candidate: Pattern;
  const canonicalReference = canonicalText(reference);
  try {
    candidate = parsePatternCached(pattern);
  } catch (error) {
    return remember(`${canonicalReference}\u0000\u0001${pattern}`, failed(error));
  }
  // The canonical forms: every spelling of the same patterns shares one cache entry.
  const canonical = printPatternCached(candidate);
  const key = `${textId(canonicalReference)}\u0000${textId(canonical)}\u0000${benignKey(benignEvents)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const costly = tooCostly.get(canonical);
  if (costly !== undefined) {
    return remember(key, { verdict: 'UNKNOWN', covers: false, missed: null, extra: null, note: costly });
  }
  const wanted = options.deadlineMs ?? JUDGE_DEADLINE_MS;
  const budget = Math.min(wanted, Math.max(JUDGE_FLOOR_MS, Math.round(STRETCH_BUDGET_MS - stretchSpent)));
  const started = stretchClock();
  let judgement: FilterJudgement;
  let costlyNote: string | undefined;
  let stalled: boolean | undefined;
  try {
    ({ judgement, costlyNote, stalled } = judge(candidate, reference, benignEvents, budget));
  } catch (error) {
    judgement = failed(error);
  }
  chargeStretch(started);
  // The host, not the pattern, ran out of time: its note says so; the next audit decides it again.
  if (stalled) return judgement;
  if (judgement.note?.startsWith(DECISION_TIMEOUT_NOTE)) {
    if (budget < wanted) {
      // Cut short because other patterns used the stretch's time: say so, and decide it again later.
      return {
        ...judgement,
        note:
          `${DECISION_TIMEOUT_NOTE}: the engine's time for this audit pass (${STRETCH_BUDGET_MS} ms) was used up by ` +
          `other filters, so this one got ${budget} ms; it is decided again on the next audit`,
      };
    }
    if (costlyNote !== undefined) tooCostly.set(canonical, costlyNote);
  }
  return remember(key, judgement);
}

interface Judged {
  judgement: FilterJudgement;
  /** Set when the comparison with the reference itself ran out of time (the pattern is costly as such). */
  costlyNote?: string;
  /** A decision was stopped by the wall-clock cap before its CPU budget (decisionStalled): keep nothing. */
  stalled?: boolean;
}

function judge(
  candidate: Pattern,
  reference: string,
  benignEvents: readonly LogEvent[],
  budget: number,
): Judged {
  const comparison = compareCached(candidate, reference, { deadlineMs: budget });
  // The example events go into findings people read: shown as CloudTrail records (same verdicts).
  const shown = withCloudTrailFields(comparison, candidate, parsePatternCached(reference));
  const base = {
    verdict: comparison.verdict,
    missed: shown.missed,
    extra: shown.extra,
    ...(comparison.note !== undefined ? { note: comparison.note } : {}),
  };
  if (decisionStalled(comparison)) return { judgement: { ...base, covers: false }, stalled: true };
  if (decisionTimedOut(comparison)) {
    return { judgement: { ...base, covers: false }, costlyNote: comparison.note as string };
  }
  // A match-all filter may formally miss reference events that are not CloudTrail-shaped (e.g. one
  // without eventName, which `{ $.eventName = * }` misses): OVERLAPPING, not BROADER. Its real problem
  // is still that it fires on everything, so that is the reason given, whatever the verdict.
  let rejection: FilterRejection | undefined;
  let stalled = false;
  if (comparison.verdict !== 'EQUIVALENT') {
    const matchAll = compareCached(candidate, EVERY_CLOUDTRAIL_EVENT, { deadlineMs: budget });
    stalled = decisionStalled(matchAll);
    if (comparison.verdict === 'BROADER' && decisionTimedOut(matchAll)) {
      // Catches every reference event, but whether it fires on everything is undecided: not accepted.
      const note =
        `${DECISION_TIMEOUT_NOTE}: the filter catches every reference event (BROADER), but whether it ` +
        `matches every CloudTrail event was not decided within ${budget} ms; ` +
        (stalled ? 'the host was too busy, it is decided again on the next audit' : 'not accepted');
      return { judgement: { ...base, verdict: 'UNKNOWN', covers: false, note }, stalled };
    }
    rejection =
      comparison.verdict === 'BROADER'
        ? tooBroad(candidate, benignEvents, covers(matchAll))
        : covers(matchAll)
          ? MATCHES_EVERYTHING
          : undefined;
  }
  return {
    judgement: {
      ...base,
      covers: covers(comparison) && rejection === undefined,
      ...(rejection !== undefined ? { rejection } : {}),
    },
    stalled,
  };
}

function failed(error: unknown): FilterJudgement {
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof PatternSyntaxError
    ? { verdict: 'SYNTAX_ERROR', covers: false, missed: null, extra: null, note: message }
    : { verdict: 'UNKNOWN', covers: false, missed: null, extra: null, note: `engine error: ${message}` };
}

function remember(key: string, judgement: FilterJudgement): FilterJudgement {
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
