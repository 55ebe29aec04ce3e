/**
 * CloudWatch (endpoint service `monitoring`, IAM prefix `cloudwatch`): DescribeAlarms (MaxRecords 1..100,
 * NextToken), DescribeAlarmsForMetric, PutMetricAlarm (AWS's validation of required and combined members),
 * DeleteAlarms, and (./cloudwatch-actions.ts, ./cloudwatch-history.ts) SetAlarmState with its actions,
 * Enable/DisableAlarmActions and DescribeAlarmHistory. The same handlers serve the JSON 1.0 protocol and
 * the older query protocol; errors carry the query codes (MissingParameter, InvalidParameterValue,
 * InvalidParameterCombination, ResourceNotFound).
 */

import { ApiError } from '../api-error';
import type { Input } from '../input';
import { COMPARISON_OPERATORS, STATISTICS } from '../scenario';
import { type CallContext, checkRange, paginate, type ServiceDef } from '../service';
import type { AlarmState } from '../state';
import { disableAlarmActions, enableAlarmActions, setAlarmState } from './cloudwatch-actions';
import { describeAlarmHistory, recordConfiguration } from './cloudwatch-history';

const invalidValue = (message: string) => new ApiError('InvalidParameterValue', message);
const missing = (member: string) => new ApiError('MissingParameter', `The parameter ${member} is required.`);
const combination = (message: string) => new ApiError('InvalidParameterCombination', message);
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function alarms(ctx: CallContext) {
  return ctx.state.region(ctx.caller.accountId, ctx.region).alarms;
}

function describeAlarms(ctx: CallContext, input: Input) {
  const names = input.strList('AlarmNames');
  const prefix = input.str('AlarmNamePrefix');
  if (names && names.length > 0 && prefix !== undefined)
    throw combination('AlarmNames and AlarmNamePrefix cannot be specified together.');
  if (names && names.length > 100)
    throw invalidValue('The collection AlarmNames must not have a size greater than 100.');
  const max = input.num('MaxRecords') ?? 50;
  checkRange(invalidValue, 'maxRecords', max, 1, 100);
  const types = input.strList('AlarmTypes');
  const state = input.str('StateValue');
  const actionPrefix = input.str('ActionPrefix');
  let list = [...alarms(ctx).values()].sort((a, b) => byString(a.AlarmName, b.AlarmName));
  if (types && types.length > 0 && !types.includes('MetricAlarm')) list = [];
  if (names && names.length > 0) list = list.filter((a) => names.includes(a.AlarmName));
  if (prefix !== undefined) list = list.filter((a) => a.AlarmName.startsWith(prefix));
  if (state !== undefined) list = list.filter((a) => a.StateValue === state);
  if (actionPrefix !== undefined)
    list = list.filter((a) => a.AlarmActions.some((x) => x.startsWith(actionPrefix)));
  const { page, nextToken } = paginate(
    list,
    (a) => a.AlarmName,
    input.str('NextToken'),
    max,
    () => new ApiError('InvalidNextToken', 'The service returned an invalid next token.'),
  );
  return { MetricAlarms: page, CompositeAlarms: [], NextToken: nextToken };
}

function readDimensions(input: Input): { Name: string; Value: string }[] {
  const dims = input.structs('Dimensions') ?? [];
  if (dims.length > 30) throw invalidValue('The collection Dimensions must not have a size greater than 30.');
  return dims.map((d) => ({ Name: d.reqStr('Name'), Value: d.reqStr('Value') }));
}

function describeAlarmsForMetric(ctx: CallContext, input: Input) {
  const metricName = input.str('MetricName');
  if (metricName === undefined) throw missing('MetricName');
  const namespace = input.str('Namespace');
  if (namespace === undefined) throw missing('Namespace');
  const statistic = input.str('Statistic');
  const extended = input.str('ExtendedStatistic');
  const period = input.num('Period');
  const unit = input.str('Unit');
  const dims = input.has('Dimensions') ? readDimensions(input) : undefined;
  const sameDims = (a: AlarmState) =>
    !dims ||
    (a.Dimensions.length === dims.length &&
      dims.every((d) => a.Dimensions.some((x) => x.Name === d.Name && x.Value === d.Value)));
  const list = [...alarms(ctx).values()]
    .filter(
      (a) =>
        a.MetricName === metricName &&
        a.Namespace === namespace &&
        (statistic === undefined || a.Statistic === statistic) &&
        (extended === undefined || a.ExtendedStatistic === extended) &&
        (period === undefined || a.Period === period) &&
        (unit === undefined || a.Unit === unit) &&
        sameDims(a),
    )
    .sort((a, b) => byString(a.AlarmName, b.AlarmName));
  return { MetricAlarms: list };
}

function checkActions(member: string, actions: string[] | undefined): string[] {
  const list = actions ?? [];
  if (list.length > 5) throw invalidValue(`The collection ${member} must not have a size greater than 5.`);
  for (const a of list) {
    if (!/^arn:aws[a-z-]*:(sns|automate|ssm|swf|ec2|lambda|autoscaling|ssm-incidents):/.test(a))
      throw invalidValue(`Invalid arn syntax: ${a}`);
  }
  return list;
}

function putMetricAlarm(ctx: CallContext, input: Input) {
  const name = input.str('AlarmName');
  if (name === undefined) throw missing('AlarmName');
  if (name.length < 1 || name.length > 255)
    throw invalidValue('AlarmName must be between 1 and 255 characters.');
  const evaluationPeriods = input.num('EvaluationPeriods');
  if (evaluationPeriods === undefined) throw missing('EvaluationPeriods');
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1)
    throw invalidValue('The parameter EvaluationPeriods must be greater than or equal to 1.');
  const operator = input.str('ComparisonOperator');
  if (operator === undefined) throw missing('ComparisonOperator');
  if (!(COMPARISON_OPERATORS as readonly string[]).includes(operator))
    throw invalidValue(`The parameter ComparisonOperator must be one of ${COMPARISON_OPERATORS.join(', ')}.`);
  const metrics = input.list('Metrics');
  const metricName = input.str('MetricName');
  const namespace = input.str('Namespace');
  const statistic = input.str('Statistic');
  const extended = input.str('ExtendedStatistic');
  const period = input.num('Period');
  const threshold = input.num('Threshold');
  const thresholdMetricId = input.str('ThresholdMetricId');
  if (metrics && metrics.length > 0) {
    if (
      metricName !== undefined ||
      namespace !== undefined ||
      statistic !== undefined ||
      period !== undefined
    )
      throw combination(
        'The parameters Metrics and MetricName, Namespace, Statistic, Period are mutually exclusive.',
      );
  } else {
    if (metricName === undefined) throw missing('MetricName');
    if (namespace === undefined) throw missing('Namespace');
    if (statistic === undefined && extended === undefined) throw missing('Statistic');
    if (statistic !== undefined && extended !== undefined)
      throw combination('Exactly one of the parameters Statistic or ExtendedStatistic must be specified.');
    if (statistic !== undefined && !(STATISTICS as readonly string[]).includes(statistic))
      throw invalidValue(`The parameter Statistic must be one of ${STATISTICS.join(', ')}.`);
    if (period === undefined) throw missing('Period');
    if (!(period === 10 || period === 20 || period === 30 || (period >= 60 && period % 60 === 0)))
      throw invalidValue('The parameter Period must be 10, 20, 30, or a multiple of 60.');
  }
  if (threshold === undefined && thresholdMetricId === undefined) throw missing('Threshold');
  const datapoints = input.num('DatapointsToAlarm');
  if (datapoints !== undefined && (datapoints < 1 || datapoints > evaluationPeriods))
    throw invalidValue('DatapointsToAlarm must be between 1 and EvaluationPeriods.');
  const now = new Date();
  const existing = alarms(ctx).get(name);
  const alarm: AlarmState = {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${ctx.region}:${ctx.caller.accountId}:alarm:${name}`,
    AlarmConfigurationUpdatedTimestamp: now,
    ActionsEnabled: input.bool('ActionsEnabled') ?? true,
    OKActions: checkActions('OKActions', input.strList('OKActions')),
    AlarmActions: checkActions('AlarmActions', input.strList('AlarmActions')),
    InsufficientDataActions: checkActions(
      'InsufficientDataActions',
      input.strList('InsufficientDataActions'),
    ),
    // AWS keeps the state of an updated alarm and starts a new one in INSUFFICIENT_DATA.
    StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
    StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
    StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
    StateTransitionedTimestamp: existing?.StateTransitionedTimestamp ?? now,
    Dimensions: metrics && metrics.length > 0 ? [] : readDimensions(input),
    EvaluationPeriods: evaluationPeriods,
    ComparisonOperator: operator,
  };
  const optional: Record<string, unknown> = {
    AlarmDescription: input.str('AlarmDescription'),
    MetricName: metricName,
    Namespace: namespace,
    Statistic: statistic,
    ExtendedStatistic: extended,
    Period: period,
    Unit: input.str('Unit'),
    DatapointsToAlarm: datapoints,
    Threshold: threshold,
    TreatMissingData: input.str('TreatMissingData'),
    EvaluateLowSampleCountPercentile: input.str('EvaluateLowSampleCountPercentile'),
    Metrics: metrics && metrics.length > 0 ? metrics : undefined,
    ThresholdMetricId: thresholdMetricId,
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined) (alarm as unknown as Record<string, unknown>)[k] = v;
  alarms(ctx).set(name, alarm);
  recordConfiguration(
    ctx.state.region(ctx.caller.accountId, ctx.region),
    existing ? 'Update' : 'Create',
    alarm,
    existing,
  );
  ctx.changed([alarm.AlarmArn]);
  return undefined;
}

function deleteAlarms(ctx: CallContext, input: Input) {
  const names = input.strList('AlarmNames');
  if (names === undefined) throw missing('AlarmNames');
  if (names.length > 100)
    throw invalidValue('The collection AlarmNames must not have a size greater than 100.');
  const map = alarms(ctx);
  // AWS documents "in the event of an error, no alarms are deleted": check all before deleting any.
  const unknown = names.filter((n) => !map.has(n));
  if (unknown.length > 0)
    throw new ApiError(
      'ResourceNotFound',
      `${unknown.length} out of ${names.length} alarms were not found: ${unknown.join(', ')}`,
      404,
    );
  const r = ctx.state.region(ctx.caller.accountId, ctx.region);
  for (const n of names) {
    const alarm = map.get(n) as AlarmState;
    map.delete(n);
    recordConfiguration(r, 'Delete', alarm);
    ctx.changed([alarm.AlarmArn]);
  }
  return undefined;
}

export const cloudwatch: ServiceDef = {
  name: 'monitoring',
  iamPrefix: 'cloudwatch',
  operations: {
    DescribeAlarms: describeAlarms,
    DescribeAlarmsForMetric: describeAlarmsForMetric,
    PutMetricAlarm: putMetricAlarm,
    DeleteAlarms: deleteAlarms,
    SetAlarmState: setAlarmState,
    DescribeAlarmHistory: describeAlarmHistory,
    EnableAlarmActions: enableAlarmActions,
    DisableAlarmActions: disableAlarmActions,
  },
  fail: (member, problem) =>
    problem === 'missing' ? missing(member) : invalidValue(`Invalid value for parameter ${member}.`),
  resource(_operation, ctx, input) {
    const name = input.raw.AlarmName;
    return `arn:aws:cloudwatch:${ctx.region}:${ctx.caller.accountId}:alarm:${typeof name === 'string' ? name : '*'}`;
  },
};
