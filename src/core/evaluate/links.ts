/**
 * Small constructors for link results, the wording of probe errors, and the alarm checks that are pure
 * arithmetic (would one matching event make it fire? does it watch the metric the filter emits?).
 */
import type { Alarm, MetricTransformation, ProbeError } from '../snapshot';
import type { Evidence, LinkName, LinkResult } from './findings';

export function pass(link: LinkName, detail: string, evidence: Evidence = {}): LinkResult {
  return { link, status: 'pass', detail, evidence };
}

export function warn(link: LinkName, detail: string, evidence: Evidence = {}): LinkResult {
  return { link, status: 'warn', detail, evidence };
}

export function fail(link: LinkName, detail: string, evidence: Evidence = {}): LinkResult {
  return { link, status: 'fail', detail, evidence };
}

/** An error link always names the IAM action; an AccessDenied is never a pass. */
export function errorLink(
  link: LinkName,
  error: ProbeError,
  what: string,
  evidence: Evidence = {},
): LinkResult {
  return {
    link,
    status: 'error',
    detail: describeProbeError(error, what),
    evidence: { ...evidence, error: { kind: error.kind, code: error.code ?? null, message: error.message } },
    action: error.action,
  };
}

export function describeProbeError(error: ProbeError, what: string): string {
  switch (error.kind) {
    case 'access-denied':
      return `Access denied to ${error.action} on ${what}: grant ${error.action} to the audit role.`;
    case 'credentials':
      // The message names the refused identity and what to renew; no IAM grant would help.
      return `Cannot read ${what}: ${error.message}`;
    case 'unreachable':
      return `Cannot read ${what}: ${error.message}`;
    case 'not-found':
      return `${what} was not found (${error.action}: ${error.message}).`;
    case 'failed':
      return `${error.action} failed on ${what}: ${error.message}`;
  }
}

/** A compact one-line JSON of an example event, for details. */
export function showEvent(event: unknown, max = 240): string {
  const text = typeof event === 'string' ? event : JSON.stringify(event);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// --- alarm arithmetic ----------------------------------------------------------------------------------

/**
 * What one matching event does to an alarm on the filter's metric:
 * - `fires`: one matching event puts it in ALARM;
 * - `never`: no single matching event can (wrong direction, a value or threshold one event never
 *   reaches): the chain is broken;
 * - `depends`: it can, under conditions (several breaching periods, the other traffic in the period, a
 *   value read from the event, a band cis-bot cannot evaluate): worth a warning, not a failure.
 */
export type Firing = 'fires' | 'never' | 'depends';

export interface FiringVerdict {
  fires: boolean;
  firing: Firing;
  /** Why it does not simply fire (empty when it does). */
  why: string;
}

const COMPARISONS: Record<string, { words: string; test: (x: number, t: number) => boolean }> = {
  GreaterThanOrEqualToThreshold: { words: 'at or above', test: (x, t) => x >= t },
  GreaterThanThreshold: { words: 'above', test: (x, t) => x > t },
  LessThanThreshold: { words: 'below', test: (x, t) => x < t },
  LessThanOrEqualToThreshold: { words: 'at or below', test: (x, t) => x <= t },
};
const BAND_OPERATORS = new Set([
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
]);
/** A literal metric value (`1`, `0.5`, `-2`, `1e3`); anything else (`$.field`) is read from each event. */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
/** Stands for "a busy period": many other log events, each emitting the filter's default value. */
const BUSY = 1_000_000;

/** `value`: no statistic named (not SampleCount, so one datapoint's statistic is its value). */
type StatKind = 'Sum' | 'SampleCount' | 'Average' | 'Minimum' | 'Maximum' | 'percentile' | 'value';

function statOf(alarm: Alarm): { kind: StatKind; label: string; percentile?: number } | undefined {
  const s = alarm.statistic;
  if (s === 'Sum' || s === 'SampleCount' || s === 'Average' || s === 'Minimum' || s === 'Maximum')
    return { kind: s, label: s };
  const ext = alarm.extendedStatistic;
  const p = ext ? /^p(\d+(?:\.\d+)?)$/i.exec(ext) : null;
  if (ext && p) return { kind: 'percentile', label: ext, percentile: Number(p[1]) };
  if (s === undefined && ext === undefined) return { kind: 'value', label: 'statistic' };
  return undefined;
}

/**
 * The statistic over the datapoints of one period holding one matching event (value `v`) and `k` other
 * log events that emit the filter's default value `d` (none without a default value).
 */
function statValue(stat: { kind: StatKind; percentile?: number }, v: number, k: number, d: number): number {
  switch (stat.kind) {
    case 'Sum':
      return v + k * d;
    case 'SampleCount':
      return 1 + k;
    case 'Average':
    case 'value':
      return (v + k * d) / (1 + k);
    case 'Minimum':
      return k > 0 ? Math.min(v, d) : v;
    case 'Maximum':
      return k > 0 ? Math.max(v, d) : v;
    case 'percentile':
      // One value among a million defaults: the percentile is the default, except at p100 (the maximum).
      return k === 0 ? v : (stat.percentile ?? 0) >= 100 ? Math.max(v, d) : d;
  }
}

const fmt = (n: number) => String(Math.round(n * 1e6) / 1e6);
const fires = (): FiringVerdict => ({ fires: true, firing: 'fires', why: '' });
const never = (why: string): FiringVerdict => ({ fires: false, firing: 'never', why });
const depends = (why: string): FiringVerdict => ({ fires: false, firing: 'depends', why });

/**
 * Would a single matching event put the alarm in ALARM? The filter emits `metricValue` for a matching
 * event (and `defaultValue`, when set, for the log events that do not match). A period holding one
 * matching event then has Sum = Average = Minimum = Maximum = any percentile = the value, SampleCount = 1;
 * the alarm compares that with its threshold, and must see `DatapointsToAlarm` (default
 * `EvaluationPeriods`) breaching periods. Sum and SampleCount grow with more events, Average, Minimum,
 * Maximum and percentiles do not: a threshold one event does not reach is reached by several events only
 * for the former, and the verdict is the same either way: one unauthorized call is never reported.
 */
export function firesOnOneEvent(alarm: Alarm, metricValue: string, defaultValue?: number): FiringVerdict {
  const op = alarm.comparisonOperator ?? '';
  const t = alarm.threshold;
  if (BAND_OPERATORS.has(op) || t === undefined) {
    return depends(
      `it compares with ${t === undefined ? 'no static threshold' : 'an anomaly-detection band'} (${op || 'no comparison'}), which cis-bot cannot evaluate`,
    );
  }
  const cmp = COMPARISONS[op];
  if (!cmp) return depends(`its comparison ${op || '(none)'} is not one cis-bot can evaluate`);
  const stat = statOf(alarm);
  if (!stat) {
    return depends(
      `its statistic ${alarm.extendedStatistic ?? alarm.statistic ?? '(none)'} is not one cis-bot can evaluate`,
    );
  }
  const value = metricValue.trim();
  if (!NUMBER.test(value)) {
    return depends(
      `the filter's metric value ${metricValue || '(empty)'} is read from each event, so whether one event brings the ${stat.label} ${cmp.words} ${t} depends on that field`,
    );
  }
  const v = Number(value);
  const breaches = (x: number) => cmp.test(x, t);
  const rule = `${cmp.words} the threshold ${fmt(t)} (${op})`;
  const quiet = statValue(stat, v, 0, 0);
  // With a default value, the other log events of the period add datapoints (how many depends on the
  // traffic): the verdict must hold both for a quiet period and for a busy one.
  const withDefault = defaultValue !== undefined && !(stat.kind === 'Sum' && defaultValue === 0);
  if (withDefault && stat.kind === 'value') {
    return depends(
      `the filter emits default value ${fmt(defaultValue)} for the other log events and the alarm names no statistic, so what one matching event does is unknown`,
    );
  }
  const busy = withDefault ? statValue(stat, v, BUSY, defaultValue) : quiet;
  const fq = breaches(quiet);
  const fb = breaches(busy);
  const dflt = withDefault ? ` (the filter's default value ${fmt(defaultValue)} does not help either)` : '';

  if (!fq && !fb) {
    const grows = stat.kind === 'SampleCount' || (stat.kind === 'Sum' && v > 0);
    const greater = op.startsWith('Greater');
    if (grows && greater) {
      let n = 2;
      while (n < 1_000_000 && !breaches(stat.kind === 'Sum' ? n * v : n)) n++;
      const period = alarm.period ? `${alarm.period}-second period` : 'period';
      return never(
        `one matching event gives ${stat.label} ${fmt(quiet)}, not ${rule}: it takes ${n} matching events within one ${period} to alarm, so a single matching event is never reported${dflt}`,
      );
    }
    if (greater) {
      return never(
        stat.kind === 'Sum'
          ? `the filter emits metric value ${fmt(v)} per matching event, so their Sum is never ${rule}, however many events arrive${dflt}`
          : `the filter emits ${fmt(v)} for every matching event, so the ${stat.label} is ${fmt(quiet)} however many events arrive, never ${rule}${dflt}`,
      );
    }
    return never(
      `it alarms when the ${stat.label} is ${rule}, but a period with one matching event has ${stat.label} ${fmt(quiet)}${grows ? ' and more events only raise it' : ''}: the comparison points the wrong way for counting events${dflt}`,
    );
  }
  if (fq !== fb) {
    return depends(
      `the filter emits default value ${fmt(defaultValue ?? 0)} for the other log events, so the ${stat.label} of a period with one matching event depends on the traffic: ${fmt(quiet)} alone (${fq ? 'alarms' : 'does not alarm'}), about ${fmt(busy)} in a busy period (${fb ? 'alarms' : 'does not alarm'}); the alarm should be ${rule} for a single event either way`,
    );
  }
  const datapoints = alarm.datapointsToAlarm ?? alarm.evaluationPeriods ?? 1;
  if (datapoints > 1) {
    const of = alarm.evaluationPeriods ?? datapoints;
    return depends(
      `it needs ${datapoints} breaching periods (of ${of}), so a single event does not alarm; one matching event in each of ${datapoints} periods does`,
    );
  }
  if (!op.startsWith('Greater') && (stat.kind === 'SampleCount' || (stat.kind === 'Sum' && v > 0))) {
    let n = 2;
    while (n < 1_000_000 && breaches(stat.kind === 'Sum' ? n * v : n)) n++;
    return depends(
      `it alarms when the ${stat.label} is ${rule}: one matching event does, but ${n} or more in one period do not, so a burst of matching events goes unreported`,
    );
  }
  if (alarm.treatMissingData === 'breaching' && defaultValue === undefined) {
    return depends(
      'it treats missing data as breaching, and the metric has no data while no event matches: the alarm sits in ALARM, so a matching event changes nothing and sends no notification',
    );
  }
  return fires();
}

/**
 * The alarm must watch the exact metric the filter emits. A filter that emits dimensions splits its
 * metric per value (see `evaluate.ts`, which fails those first), so this holds only when neither side
 * has dimensions.
 */
export function dimensionsMatch(alarm: Alarm, transformation: MetricTransformation): boolean {
  return Object.keys(transformation.dimensions).length === 0 && alarm.dimensions.length === 0;
}
