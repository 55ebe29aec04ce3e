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

/**
 * Would a single matching event (metric value `value`, usually 1) put the alarm in ALARM? Sum, SampleCount,
 * Maximum, Minimum and Average of one datapoint of 1 are all 1, so it comes down to the comparison and the
 * number of periods/datapoints required.
 */
export function firesOnOneEvent(alarm: Alarm, metricValue: string): { fires: boolean; why: string } {
  const value = Number(metricValue);
  const v = Number.isFinite(value) ? value : 1;
  const threshold = alarm.threshold ?? 0;
  const op = alarm.comparisonOperator ?? '';
  const datapoints = alarm.datapointsToAlarm ?? alarm.evaluationPeriods ?? 1;
  if (datapoints > 1) {
    return { fires: false, why: `needs ${datapoints} breaching periods, so a single event does not alarm` };
  }
  if (op === 'GreaterThanOrEqualToThreshold' && v >= threshold) return { fires: true, why: '' };
  if (op === 'GreaterThanThreshold' && v > threshold) return { fires: true, why: '' };
  if (op.startsWith('GreaterThan')) {
    return { fires: false, why: `threshold ${op} ${threshold} is not reached by one event (value ${v})` };
  }
  return { fires: false, why: `comparison ${op || '(none)'} does not alarm on a rising count` };
}

/** The alarm must watch the exact metric the filter emits: same dimensions (none, for the CIS filter). */
export function dimensionsMatch(alarm: Alarm, transformation: MetricTransformation): boolean {
  const emitted = Object.keys(transformation.dimensions).sort();
  const watched = alarm.dimensions.map((d) => d.name).sort();
  return emitted.length === watched.length && emitted.every((name, i) => name === watched[i]);
}
