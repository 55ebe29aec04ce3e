/**
 * What a fire drill calls in the alarm's account, as least-privilege IAM statements for the role cis-bot
 * uses there (`cis-bot iam-policy --drill`): the alarm's state and history, the probe's subscription to
 * the alarm's topic, and only queues named like the drill's probes. The proposal's audit reads are the
 * control's (iam-policy's audit statement).
 */
import { PROBE_QUEUE_PREFIX } from './drill-run';

export const DRILL_ALARM_ACTIONS = [
  'cloudwatch:DescribeAlarmHistory',
  'cloudwatch:DescribeAlarms',
  'cloudwatch:SetAlarmState',
] as const;
export const DRILL_TOPIC_ACTIONS = [
  'sns:ListSubscriptionsByTopic',
  'sns:Subscribe',
  'sns:Unsubscribe',
] as const;
export const DRILL_QUEUE_ACTIONS = [
  'sqs:CreateQueue',
  'sqs:DeleteQueue',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
  'sqs:SetQueueAttributes',
  'sqs:TagQueue',
] as const;

/** Every action a drill calls, sorted. */
export function drillActions(): string[] {
  return [...DRILL_ALARM_ACTIONS, ...DRILL_TOPIC_ACTIONS, ...DRILL_QUEUE_ACTIONS].sort();
}

export function drillStatements(): object[] {
  return [
    {
      Sid: 'CisBotDrillAlarm',
      Effect: 'Allow',
      Action: [...DRILL_ALARM_ACTIONS],
      Resource: 'arn:*:cloudwatch:*:*:alarm:*',
    },
    // Unsubscribe is authorized on the subscription, which has no ARN pattern of its own to name.
    { Sid: 'CisBotDrillTopic', Effect: 'Allow', Action: [...DRILL_TOPIC_ACTIONS], Resource: '*' },
    {
      Sid: 'CisBotDrillProbeQueue',
      Effect: 'Allow',
      Action: [...DRILL_QUEUE_ACTIONS],
      Resource: `arn:*:sqs:*:*:${PROBE_QUEUE_PREFIX}*`,
    },
  ];
}
