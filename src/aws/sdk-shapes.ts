/**
 * AWS SDK v3 outputs turned into the snapshot's plain types (src/core/snapshot.ts). Shared by the
 * collector (audit) and the remediation reads, so an alarm or a filter looks the same whichever read it.
 */
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { MetricFilter as SdkMetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import type { Alarm, MetricFilter } from '../core/snapshot';

export function toFilter(f: SdkMetricFilter): MetricFilter {
  return {
    name: f.filterName ?? '',
    pattern: f.filterPattern ?? '',
    logGroupName: f.logGroupName ?? '',
    transformations: (f.metricTransformations ?? []).map((t) => ({
      metricName: t.metricName ?? '',
      metricNamespace: t.metricNamespace ?? '',
      metricValue: t.metricValue ?? '',
      ...(t.defaultValue !== undefined ? { defaultValue: t.defaultValue } : {}),
      dimensions: { ...(t.dimensions ?? {}) },
      ...(t.unit !== undefined ? { unit: t.unit } : {}),
    })),
  };
}

export function toAlarm(a: MetricAlarm): Alarm {
  const opt = <K extends string, V>(key: K, value: V | undefined) =>
    (value !== undefined ? { [key]: value } : {}) as Partial<Record<K, V>>;
  return {
    name: a.AlarmName ?? '',
    arn: a.AlarmArn ?? '',
    actionsEnabled: a.ActionsEnabled === true,
    alarmActions: a.AlarmActions ?? [],
    okActions: a.OKActions ?? [],
    insufficientDataActions: a.InsufficientDataActions ?? [],
    dimensions: (a.Dimensions ?? []).map((d) => ({ name: d.Name ?? '', value: d.Value ?? '' })),
    ...opt('metricName', a.MetricName),
    ...opt('namespace', a.Namespace),
    ...opt('statistic', a.Statistic),
    ...opt('extendedStatistic', a.ExtendedStatistic),
    ...opt('period', a.Period),
    ...opt('threshold', a.Threshold),
    ...opt('comparisonOperator', a.ComparisonOperator),
    ...opt('evaluationPeriods', a.EvaluationPeriods),
    ...opt('datapointsToAlarm', a.DatapointsToAlarm),
    ...opt('treatMissingData', a.TreatMissingData),
    ...opt('stateValue', a.StateValue),
    // What a replacement of the alarm must carry over, and is compared on before writing.
    ...opt('description', a.AlarmDescription),
    ...opt('unit', a.Unit),
  };
}
