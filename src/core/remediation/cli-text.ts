/**
 * The AWS CLI equivalents of plan steps, written the way the CIS text writes them (same options, same
 * order), followed by `--region` so a copied line runs where the chain is. Values are shell-quoted only
 * when they need it; the filter pattern is always single-quoted, as in the CIS text. Pure.
 */
import type { PutMetricAlarmInput, PutMetricFilterInput, SubscribeInput } from './types';

/** POSIX single-quoting: 'it'\''s'. */
export function shellQuote(value: string, always = false): string {
  if (!always && /^[A-Za-z0-9_./:@=+,%-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function putMetricFilterCli(input: PutMetricFilterInput, region: string): string {
  const t = input.metricTransformations[0];
  const transformation = t
    ? `metricName=${t.metricName},metricNamespace=${t.metricNamespace},metricValue=${t.metricValue}`
    : '';
  return [
    'aws logs put-metric-filter',
    `--log-group-name ${shellQuote(input.logGroupName)}`,
    `--filter-name ${shellQuote(input.filterName)}`,
    `--metric-transformations ${shellQuote(transformation)}`,
    `--filter-pattern ${shellQuote(input.filterPattern, true)}`,
    `--region ${region}`,
  ].join(' ');
}

export function createTopicCli(name: string, region: string): string {
  return `aws sns create-topic --name ${shellQuote(name)} --region ${region}`;
}

export function subscribeCli(input: SubscribeInput, region: string): string {
  return [
    'aws sns subscribe',
    `--topic-arn ${shellQuote(input.TopicArn)}`,
    `--protocol ${shellQuote(input.Protocol)}`,
    `--notification-endpoint ${shellQuote(input.Endpoint)}`,
    `--region ${region}`,
  ].join(' ');
}

export function putMetricAlarmCli(input: PutMetricAlarmInput, region: string): string {
  const list = (values: readonly string[]) => values.map((v) => shellQuote(v)).join(' ');
  return [
    'aws cloudwatch put-metric-alarm',
    `--alarm-name ${shellQuote(input.AlarmName)}`,
    `--metric-name ${shellQuote(input.MetricName)}`,
    `--statistic ${input.Statistic}`,
    `--period ${input.Period}`,
    `--threshold ${input.Threshold}`,
    `--comparison-operator ${input.ComparisonOperator}`,
    `--evaluation-periods ${input.EvaluationPeriods}`,
    `--namespace ${shellQuote(input.Namespace)}`,
    `--alarm-actions ${list(input.AlarmActions)}`,
    ...(input.OKActions?.length ? [`--ok-actions ${list(input.OKActions)}`] : []),
    ...(input.InsufficientDataActions?.length
      ? [`--insufficient-data-actions ${list(input.InsufficientDataActions)}`]
      : []),
    ...(input.AlarmDescription !== undefined
      ? [`--alarm-description ${shellQuote(input.AlarmDescription, true)}`]
      : []),
    ...(input.TreatMissingData !== undefined ? [`--treat-missing-data ${input.TreatMissingData}`] : []),
    ...(input.Unit !== undefined ? [`--unit ${shellQuote(input.Unit)}`] : []),
    ...(input.Dimensions?.length
      ? [
          `--dimensions ${input.Dimensions.map((d) => shellQuote(`Name=${d.Name},Value=${d.Value}`)).join(' ')}`,
        ]
      : []),
    ...(input.DatapointsToAlarm !== undefined ? [`--datapoints-to-alarm ${input.DatapointsToAlarm}`] : []),
    `--region ${region}`,
  ].join(' ');
}
