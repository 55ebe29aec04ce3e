/**
 * Normalised content of metric filters and alarms, shared by the planner (from the snapshot) and the
 * executor (from what AWS returns just before a step), so "already true" and "changed since the plan was
 * approved" are the same comparison on both sides. Pure.
 */
import type { Alarm, MetricFilter } from '../snapshot';
import { canonicalJson } from './canonical';
import type { AlarmSpec, FilterSpec, PutMetricAlarmInput, PutMetricFilterInput } from './types';

const sorted = (values: readonly string[]) => [...new Set(values)].sort();

export function filterSpecOf(filter: Pick<MetricFilter, 'pattern' | 'transformations'>): FilterSpec {
  return {
    pattern: filter.pattern,
    transformations: filter.transformations.map((t) => ({
      metricName: t.metricName,
      metricNamespace: t.metricNamespace,
      metricValue: t.metricValue,
      defaultValue: t.defaultValue ?? null,
      dimensions: sorted(Object.entries(t.dimensions).map(([k, v]) => `${k}=${v}`)),
      unit: t.unit ?? null,
    })),
  };
}

export function filterSpecOfInput(input: PutMetricFilterInput): FilterSpec {
  return filterSpecOf({
    pattern: input.filterPattern,
    transformations: input.metricTransformations.map((t) => ({ ...t, dimensions: {} })),
  });
}

/** An alarm without TreatMissingData treats missing data as `missing`: the same alarm. */
const treatMissing = (value: string | undefined): string | null =>
  value === undefined || value === 'missing' ? null : value;

export function alarmSpecOf(alarm: Alarm): AlarmSpec {
  return {
    metricName: alarm.metricName ?? null,
    namespace: alarm.namespace ?? null,
    statistic: alarm.statistic ?? alarm.extendedStatistic ?? null,
    period: alarm.period ?? null,
    threshold: alarm.threshold ?? null,
    comparisonOperator: alarm.comparisonOperator ?? null,
    evaluationPeriods: alarm.evaluationPeriods ?? null,
    // AWS reports DatapointsToAlarm equal to EvaluationPeriods when it was not set; 1 of 1 is the same alarm.
    datapointsToAlarm:
      alarm.datapointsToAlarm !== undefined && alarm.datapointsToAlarm !== alarm.evaluationPeriods
        ? alarm.datapointsToAlarm
        : null,
    actionsEnabled: alarm.actionsEnabled,
    alarmActions: sorted(alarm.alarmActions),
    okActions: sorted(alarm.okActions),
    insufficientDataActions: sorted(alarm.insufficientDataActions),
    dimensions: sorted(alarm.dimensions.map((d) => `${d.name}=${d.value}`)),
    description: alarm.description ?? null,
    treatMissingData: treatMissing(alarm.treatMissingData),
    unit: alarm.unit ?? null,
  };
}

export function alarmSpecOfInput(input: PutMetricAlarmInput): AlarmSpec {
  return {
    metricName: input.MetricName,
    namespace: input.Namespace,
    statistic: input.Statistic,
    period: input.Period,
    threshold: input.Threshold,
    comparisonOperator: input.ComparisonOperator,
    evaluationPeriods: input.EvaluationPeriods,
    datapointsToAlarm:
      input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm !== input.EvaluationPeriods
        ? input.DatapointsToAlarm
        : null,
    actionsEnabled: input.ActionsEnabled,
    alarmActions: sorted(input.AlarmActions),
    okActions: sorted(input.OKActions ?? []),
    insufficientDataActions: sorted(input.InsufficientDataActions ?? []),
    dimensions: sorted((input.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`)),
    description: input.AlarmDescription ?? null,
    treatMissingData: treatMissing(input.TreatMissingData),
    unit: input.Unit ?? null,
  };
}

export function sameSpec(a: FilterSpec | AlarmSpec, b: FilterSpec | AlarmSpec): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** "namespace LogMetrics -> CISBenchmark, actionsEnabled false -> true": what a replacement changes. */
export function describeChanges(before: AlarmSpec | FilterSpec, after: AlarmSpec | FilterSpec): string {
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  const show = (v: unknown) =>
    Array.isArray(v) && v.every((x) => typeof x === 'string')
      ? `[${v.join(', ')}]`
      : v === null
        ? '(none)'
        : canonicalJson(v).replace(/^"|"$/g, '');
  const changes = Object.keys(a)
    .filter((k) => canonicalJson(b[k]) !== canonicalJson(a[k]))
    .map((k) => `${k} ${show(b[k])} -> ${show(a[k])}`);
  return changes.join('; ') || 'no change';
}
