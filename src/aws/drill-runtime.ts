/**
 * The fire drill's AWS calls (core/ports/drill-runtime.ts) on the SDK v3, through the session's clients
 * for the alarm's account: CloudWatch (DescribeAlarms, SetAlarmState, DescribeAlarmHistory), SNS in the
 * topic's region (ListSubscriptionsByTopic, Subscribe, Unsubscribe) and SQS for the probe queue
 * (GetQueueUrl, CreateQueue, GetQueueAttributes, ReceiveMessage, DeleteQueue). Errors are the SDK's; the
 * drill turns them into steps that failed.
 */
import {
  DescribeAlarmsCommand,
  paginateDescribeAlarmHistory,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { paginateListSubscriptionsByTopic, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import type {
  AlarmHistoryEntry,
  AlarmStateValue,
  DrillRuntime,
  DrillTarget,
  ProbeQueue,
} from '../core/ports/drill-runtime';
import { errorCode } from './errors';
import type { RemediationClients } from './executor';

const NO_QUEUE = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

function topicRegion(topicArn: string, fallback: string): string {
  return topicArn.split(':')[3] || fallback;
}

function sqsModule() {
  return require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
}

export function createAwsDrillRuntime(session: RemediationClients): DrillRuntime {
  // AwsSession serves the base account's clients only once it knows that account (after GetCallerIdentity).
  const at = async (t: DrillTarget, region = t.region) => {
    if (session.callerIdentity) await session.callerIdentity().catch(() => undefined);
    return session.clientsFor(t.accountId, region);
  };

  async function queueArn(t: DrillTarget, url: string): Promise<string> {
    const { GetQueueAttributesCommand } = sqsModule();
    const out = await (await at(t)).sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    const arn = out.Attributes?.QueueArn;
    if (!arn) throw new Error(`SQS named no ARN for ${url}`);
    return arn;
  }

  return {
    async readAlarm(t, name) {
      const out = await (await at(t)).cloudwatch.send(
        new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm'] }),
      );
      const alarm = out.MetricAlarms?.find((a) => a.AlarmName === name);
      if (!alarm) return undefined;
      return {
        name,
        arn: alarm.AlarmArn ?? '',
        state: (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmStateValue,
        stateReason: alarm.StateReason ?? '',
        actionsEnabled: alarm.ActionsEnabled !== false,
        alarmActions: alarm.AlarmActions ?? [],
      };
    },

    async listSubscriptions(t, topicArn) {
      const subs = [];
      const sns = (await at(t, topicRegion(topicArn, t.region))).sns;
      for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: topicArn })) {
        for (const s of page.Subscriptions ?? []) {
          subs.push({
            subscriptionArn: s.SubscriptionArn ?? '',
            protocol: s.Protocol ?? '',
            endpoint: s.Endpoint ?? '',
          });
        }
      }
      return subs;
    },

    async findQueue(t, name) {
      const { GetQueueUrlCommand } = sqsModule();
      let url: string | undefined;
      try {
        url = (await (await at(t)).sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
      } catch (error) {
        if (NO_QUEUE.has(errorCode(error) ?? '')) return undefined;
        throw error;
      }
      if (!url) return undefined;
      return { url, arn: await queueArn(t, url) };
    },

    async createQueue(t, name, policy): Promise<ProbeQueue> {
      const { CreateQueueCommand } = sqsModule();
      const out = await (await at(t)).sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: { Policy: policy, MessageRetentionPeriod: '3600' },
          tags: { 'cis-bot': 'fire-drill probe (deleted when the drill ends)' },
        }),
      );
      const url = out.QueueUrl;
      if (!url) throw new Error(`CreateQueue returned no URL for ${name}`);
      return { url, arn: await queueArn(t, url) };
    },

    async subscribe(t, topicArn, endpoint) {
      const out = await (await at(t, topicRegion(topicArn, t.region))).sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: endpoint,
          ReturnSubscriptionArn: true,
        }),
      );
      return out.SubscriptionArn ?? 'pending confirmation';
    },

    async unsubscribe(t, topicArn, subscriptionArn) {
      await (await at(t, topicRegion(topicArn, t.region))).sns.send(
        new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }),
      );
    },

    async deleteQueue(t, url) {
      const { DeleteQueueCommand } = sqsModule();
      await (await at(t)).sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    },

    async setAlarmState(t, name, state, reason) {
      await (await at(t)).cloudwatch.send(
        new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }),
      );
    },

    async alarmHistory(t, name, since) {
      const items: AlarmHistoryEntry[] = [];
      const pages = paginateDescribeAlarmHistory(
        { client: (await at(t)).cloudwatch },
        { AlarmName: name, StartDate: since, ScanBy: 'TimestampAscending', MaxRecords: 100 },
      );
      for await (const page of pages) {
        for (const h of page.AlarmHistoryItems ?? []) {
          items.push({
            at: h.Timestamp ?? new Date(0),
            type: h.HistoryItemType ?? '',
            summary: h.HistorySummary ?? '',
            data: h.HistoryData ?? '',
          });
        }
      }
      return items;
    },

    async receive(t, url, waitSeconds) {
      const { ReceiveMessageCommand } = sqsModule();
      const out = await (await at(t)).sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: Math.max(0, Math.min(20, waitSeconds)),
          // Left visible: a drill resumed after a crash reads the same message again.
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      return (out.Messages ?? []).map((m) => ({
        sentAt: new Date(Number(m.Attributes?.SentTimestamp ?? Date.now())),
        body: m.Body ?? '',
      }));
    },
  };
}
