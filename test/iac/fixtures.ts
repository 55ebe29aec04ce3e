/** Hand-built model nodes for the writer tests: a CIS-style alarm with the settings the tests vary. */
import type { MetricAlarm, Str } from '../../src/core/iac';

export function cisAlarm(
  id: string,
  region: string,
  alarmActions: Str[],
  more: Partial<MetricAlarm> = {},
): MetricAlarm {
  return {
    kind: 'metric-alarm',
    id,
    region,
    name: id,
    metricName: 'm',
    namespace: 'CISBenchmark',
    statistic: 'Sum',
    period: 300,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    evaluationPeriods: 1,
    actionsEnabled: true,
    alarmActions,
    ...more,
  };
}
