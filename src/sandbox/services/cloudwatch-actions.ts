/**
 * CloudWatch alarm state changes and their actions: SetAlarmState (a StateUpdate history item; when the
 * state differs and actions are enabled, the actions of the new state run), EnableAlarmActions and
 * DisableAlarmActions. An SNS action publishes AWS's alarm notification JSON to the topic as
 * cloudwatch.amazonaws.com, so it fails, with the history message AWS writes, when the topic policy does
 * not let CloudWatch publish or the topic's KMS key policy does not let CloudWatch use the key (the
 * AWS-managed alias/aws/sns never does).
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import { canUseTopicKey } from '../kms-keys';
import { evaluatePolicy } from '../policy';
import type { CallContext } from '../service';
import { publishToTopic } from '../sns-delivery';
import type { AlarmState, RegionState, SandboxState, TopicState } from '../state';
import { recordHistory } from './cloudwatch-history';

const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-west-3': 'EU (Paris)',
  'eu-central-1': 'EU (Frankfurt)',
  'eu-north-1': 'EU (Stockholm)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ca-central-1': 'Canada (Central)',
  'sa-east-1': 'South America (Sao Paulo)',
};
const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
type StateValue = (typeof STATES)[number];

/** CloudWatch's alarm notification (the SNS message body) and its subject. */
function notification(alarm: AlarmState, account: string, region: string, old: StateValue) {
  const regionName = REGION_NAMES[region] ?? region;
  const message = {
    AlarmName: alarm.AlarmName,
    AlarmDescription: alarm.AlarmDescription ?? null,
    AWSAccountId: account,
    AlarmConfigurationUpdatedTimestamp: alarm.AlarmConfigurationUpdatedTimestamp.toISOString().replace(
      'Z',
      '+0000',
    ),
    NewStateValue: alarm.StateValue,
    NewStateReason: alarm.StateReason,
    StateChangeTime: alarm.StateUpdatedTimestamp.toISOString().replace('Z', '+0000'),
    Region: regionName,
    AlarmArn: alarm.AlarmArn,
    OldStateValue: old,
    OKActions: alarm.OKActions,
    AlarmActions: alarm.AlarmActions,
    InsufficientDataActions: alarm.InsufficientDataActions,
    Trigger: {
      MetricName: alarm.MetricName,
      Namespace: alarm.Namespace,
      StatisticType: 'Statistic',
      Statistic: alarm.Statistic?.toUpperCase(),
      Unit: alarm.Unit ?? null,
      Dimensions: alarm.Dimensions.map((d) => ({ value: d.Value, name: d.Name })),
      Period: alarm.Period,
      EvaluationPeriods: alarm.EvaluationPeriods,
      ComparisonOperator: alarm.ComparisonOperator,
      Threshold: alarm.Threshold,
      TreatMissingData: alarm.TreatMissingData ?? 'missing',
      EvaluateLowSampleCountPercentile: alarm.EvaluateLowSampleCountPercentile ?? '',
    },
  };
  const subject = `${alarm.StateValue}: "${alarm.AlarmName}" in ${regionName}`.slice(0, 100);
  return { message: JSON.stringify(message), subject };
}

function findTopicAnywhere(state: SandboxState, arn: string): TopicState | undefined {
  const [, , , region, account, name] = arn.split(':');
  return state.accounts
    .get(account ?? '')
    ?.regions.get(region ?? '')
    ?.topics.get(name ?? '');
}

/** Runs one SNS action as CloudWatch would; the error text AWS shows in the alarm history, or undefined. */
function runSnsAction(
  state: SandboxState,
  alarm: AlarmState,
  account: string,
  region: string,
  action: string,
  old: StateValue,
  nextId: () => string,
): string | undefined {
  const topic = findTopicAnywhere(state, action);
  if (!topic) return `Topic ${action} does not exist`;
  const context = {
    'aws:SourceArn': alarm.AlarmArn,
    'aws:SourceAccount': account,
    'AWS:SourceOwner': account,
  };
  const principal = { service: 'cloudwatch.amazonaws.com' };
  const decision = evaluatePolicy(topic.attributes.Policy, {
    principal,
    action: 'SNS:Publish',
    resource: topic.arn,
    context,
  });
  if (decision !== 'allow')
    return `Resource: ${alarm.AlarmArn} is not authorized to perform: SNS:Publish on resource: ${topic.arn}`;
  const keyRef = topic.attributes.KmsMasterKeyId;
  if (keyRef) {
    const use = canUseTopicKey(
      state,
      keyRef,
      { owner: topic.owner, region: topic.arn.split(':')[3] ?? region, arn: topic.arn },
      principal,
      context,
    );
    if (use !== 'ok')
      return 'CloudWatch Alarms does not have authorization to access the SNS topic encryption key.';
  }
  publishToTopic(state, topic, notification(alarm, account, region, old), nextId);
  return undefined;
}

function runActions(ctx: CallContext, r: RegionState, alarm: AlarmState, old: StateValue): void {
  if (!alarm.ActionsEnabled) return;
  const actions = {
    OK: alarm.OKActions,
    ALARM: alarm.AlarmActions,
    INSUFFICIENT_DATA: alarm.InsufficientDataActions,
  }[alarm.StateValue];
  for (const action of actions) {
    const error =
      action.split(':')[2] === 'sns'
        ? runSnsAction(ctx.state, alarm, ctx.caller.accountId, ctx.region, action, old, ctx.nextId)
        : 'The sandbox runs SNS topic actions only';
    const data: Record<string, unknown> = {
      actionState: error ? 'Failed' : 'Succeeded',
      stateUpdateTimestamp: alarm.StateUpdatedTimestamp.getTime(),
      notificationResource: action,
      ...(error ? { error } : {}),
    };
    recordHistory(r, {
      AlarmName: alarm.AlarmName,
      HistoryItemType: 'Action',
      HistorySummary: error
        ? `Failed to execute action ${action}. Received error: "${error}"`
        : `Successfully executed action ${action}`,
      HistoryData: JSON.stringify(data),
    });
  }
}

export function setAlarmState(ctx: CallContext, input: Input) {
  const name = input.reqStr('AlarmName');
  const value = input.reqStr('StateValue');
  if (!(STATES as readonly string[]).includes(value))
    throw new ApiError(
      'InvalidParameterValue',
      `The parameter StateValue must be one of ${STATES.join(', ')}.`,
    );
  const reason = input.str('StateReason');
  if (reason === undefined) throw new ApiError('MissingParameter', 'The parameter StateReason is required.');
  const reasonData = input.str('StateReasonData');
  if (reasonData !== undefined) {
    try {
      JSON.parse(reasonData);
    } catch {
      throw new ApiError('InvalidFormat', 'StateReasonData is not valid JSON.');
    }
  }
  const r = ctx.state.region(ctx.caller.accountId, ctx.region);
  const alarm = r.alarms.get(name);
  if (!alarm) throw new ApiError('ResourceNotFound', `Alarm ${name} not found`, 404);
  const old = alarm.StateValue;
  const now = new Date();
  alarm.StateValue = value as StateValue;
  alarm.StateReason = reason;
  alarm.StateUpdatedTimestamp = now;
  ctx.changed([alarm.AlarmArn]);
  // AWS: actions run only when the new state differs from the previous one.
  if (old === value) return undefined;
  alarm.StateTransitionedTimestamp = now;
  recordHistory(
    r,
    {
      AlarmName: name,
      HistoryItemType: 'StateUpdate',
      HistorySummary: `Alarm updated from ${old} to ${value}`,
      HistoryData: JSON.stringify({
        version: '1.0',
        oldState: { stateValue: old },
        newState: {
          stateValue: value,
          stateReason: reason,
          ...(reasonData !== undefined ? { stateReasonData: JSON.parse(reasonData) } : {}),
        },
      }),
    },
    now,
  );
  runActions(ctx, r, alarm, old);
  return undefined;
}

/** Enable/DisableAlarmActions: names that do not exist are ignored, as AWS does. */
function toggleActions(enabled: boolean) {
  return (ctx: CallContext, input: Input) => {
    const names = input.strList('AlarmNames');
    if (names === undefined) throw new ApiError('MissingParameter', 'The parameter AlarmNames is required.');
    if (names.length > 100)
      throw new ApiError(
        'InvalidParameterValue',
        'The collection AlarmNames must not have a size greater than 100.',
      );
    const alarms = ctx.state.region(ctx.caller.accountId, ctx.region).alarms;
    for (const n of names) {
      const alarm = alarms.get(n);
      if (!alarm || alarm.ActionsEnabled === enabled) continue;
      alarm.ActionsEnabled = enabled;
      ctx.changed([alarm.AlarmArn]);
    }
    return undefined;
  };
}

export const enableAlarmActions = toggleActions(true);
export const disableAlarmActions = toggleActions(false);
