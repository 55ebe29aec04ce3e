/**
 * Where a fire drill found the chain broken, in words a person acts on: the alarm action's error as
 * CloudWatch wrote it in the alarm history, turned into the link that refused and the change that fixes
 * it (the statement to add, with the AWS CLI command). Pure.
 */
import { CLOUDWATCH_KEY_STATEMENT } from '../evaluate/key-policy';
import type { DrillBreak, DrillPlan } from './types';

/** The topic policy statement that lets this alarm's CloudWatch publish to the topic. */
export function cloudWatchPublishStatement(drill: DrillPlan): object {
  return {
    Sid: 'AllowCloudWatchAlarmsToPublish',
    Effect: 'Allow',
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Action: 'sns:Publish',
    Resource: drill.topicArn,
    Condition: { ArnLike: { 'aws:SourceArn': drill.alarmArn } },
  };
}

const region = (arn: string) => arn.split(':')[3] ?? '';

/** The alarm action failed with `error` (the text of its history item). */
export function actionFailure(drill: DrillPlan, error: string): DrillBreak {
  if (/not authorized to perform: SNS:Publish/i.test(error)) {
    return {
      link: 'topic-policy',
      detail: `The topic's access policy does not let CloudWatch (cloudwatch.amazonaws.com) publish to ${drill.topicArn}, so the alarm fired but nobody was notified. CloudWatch said: ${error}`,
      fix: [
        `Add this statement to the topic's access policy and remove any Deny that matches cloudwatch.amazonaws.com: ${JSON.stringify(cloudWatchPublishStatement(drill))}`,
        `aws sns get-topic-attributes --topic-arn ${drill.topicArn} --region ${region(drill.topicArn)} --query Attributes.Policy --output text > policy.json`,
        `aws sns set-topic-attributes --topic-arn ${drill.topicArn} --region ${region(drill.topicArn)} --attribute-name Policy --attribute-value file://policy.json`,
      ],
    };
  }
  if (/encryption key|kms/i.test(error)) {
    return {
      link: 'kms',
      detail: `CloudWatch cannot use the KMS key that encrypts ${drill.topicArn}, so the alarm fired but nobody was notified. CloudWatch said: ${error}`,
      fix: [
        `Encrypt the topic with a customer managed key (the AWS managed alias/aws/sns never lets CloudWatch use it) whose key policy has: ${JSON.stringify(CLOUDWATCH_KEY_STATEMENT)}`,
        `aws sns get-topic-attributes --topic-arn ${drill.topicArn} --region ${region(drill.topicArn)} --query Attributes.KmsMasterKeyId --output text`,
        'aws kms put-key-policy --key-id KEY_ID --policy-name default --policy file://key-policy.json',
      ],
    };
  }
  return {
    link: 'alarm-action',
    detail: `The alarm fired, but its action on ${drill.topicArn} failed: ${error}`,
    fix: [
      `aws cloudwatch describe-alarm-history --alarm-name ${drill.alarmName} --history-item-type Action --region ${drill.region}`,
    ],
  };
}

export function noActionSeen(drill: DrillPlan): DrillBreak {
  return {
    link: 'alarm-action',
    detail: `The alarm went to ALARM, but within ${drill.waitSeconds} s DescribeAlarmHistory showed no action on ${drill.topicArn}: its actions may be disabled or no longer name the topic.`,
    fix: [
      `aws cloudwatch describe-alarms --alarm-names ${drill.alarmName} --region ${drill.region} --query 'MetricAlarms[0].[ActionsEnabled,AlarmActions]'`,
      `aws cloudwatch enable-alarm-actions --alarm-names ${drill.alarmName} --region ${drill.region}`,
    ],
  };
}

export function noDelivery(drill: DrillPlan): DrillBreak {
  return {
    link: 'delivery',
    detail: `CloudWatch ran the alarm's action on ${drill.topicArn}, but SNS delivered nothing to the probe queue within ${drill.waitSeconds} s: the topic accepted the notification and did not deliver it (a subscription filter policy, a topic delivery policy, or an SNS outage).`,
    fix: [
      `aws sns get-topic-attributes --topic-arn ${drill.topicArn} --region ${region(drill.topicArn)}`,
      `aws sns list-subscriptions-by-topic --topic-arn ${drill.topicArn} --region ${region(drill.topicArn)}`,
      'Run the drill again with a longer wait (drill.wait_seconds) if SNS is only slow.',
    ],
  };
}
