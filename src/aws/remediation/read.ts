/**
 * The reads remediation makes around the audit snapshot: one metric filter by name, one alarm by name,
 * one topic with its subscriptions. The planner gets them as `RemediationFacts` (what the collector does
 * not read: an alarm of the bot's name on a metric no covering filter emits yet, the topics it notifies,
 * the configured topic),
 * and the executor calls them again right before each step to skip what is already true.
 */
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { type CloudWatchLogsClient, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { FactsRequest, RemediationFacts } from '../../core/ports/remediation-runtime';
import {
  type Alarm,
  type MetricFilter,
  type Probe,
  parseTopicArn,
  probeError,
  probeOk,
  type Subscription,
  type TopicSnapshot,
} from '../../core/snapshot';
import { classifyError } from '../errors';
import { toAlarm, toFilter } from '../sdk-shapes';
import type { AwsClients } from '../session';

/** The filter of that exact name on the log group, or null. Throws the SDK error (ResourceNotFound...). */
export async function readFilter(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  filterName: string,
): Promise<MetricFilter | null> {
  let nextToken: string | undefined;
  do {
    const out = await logs.send(
      new DescribeMetricFiltersCommand({
        logGroupName,
        filterNamePrefix: filterName,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    const hit = (out.metricFilters ?? []).find((f) => f.filterName === filterName);
    if (hit) return toFilter(hit);
    nextToken = out.nextToken;
  } while (nextToken);
  return null;
}

/** The metric alarm of that exact name, or null. */
export async function readAlarm(cloudwatch: CloudWatchClient, name: string): Promise<Alarm | null> {
  const out = await cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm'] }),
  );
  const hit = (out.MetricAlarms ?? []).find((a) => a.AlarmName === name);
  return hit ? toAlarm(hit) : null;
}

/** Every subscription of the topic (all pages). Throws the SDK error (NotFound when the topic is gone). */
export async function readSubscriptions(sns: SNSClient, topicArn: string): Promise<Subscription[]> {
  const subs: Subscription[] = [];
  let nextToken: string | undefined;
  do {
    const out = await sns.send(
      new ListSubscriptionsByTopicCommand({
        TopicArn: topicArn,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const s of out.Subscriptions ?? []) {
      const arn = s.SubscriptionArn ?? '';
      subs.push({
        arn,
        protocol: s.Protocol ?? '',
        endpoint: s.Endpoint ?? '',
        ...(s.Owner ? { owner: s.Owner } : {}),
        // AWS lists unconfirmed subscriptions as "PendingConfirmation" (and briefly "Deleted" after Unsubscribe).
        confirmed: arn.startsWith('arn:'),
      });
    }
    nextToken = out.NextToken;
  } while (nextToken);
  return subs;
}

async function probe<T>(action: string, work: () => Promise<T>): Promise<Probe<T>> {
  try {
    return probeOk(await work());
  } catch (error) {
    return probeError(classifyError(error, action));
  }
}

export async function readTopic(sns: SNSClient, topicArn: string): Promise<TopicSnapshot> {
  const ref = parseTopicArn(topicArn) ?? { arn: topicArn, accountId: '', region: '', name: topicArn };
  const [attributes, subscriptions] = await Promise.all([
    probe('sns:GetTopicAttributes', async () => {
      const out = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
      return { ...(out.Attributes ?? {}) };
    }),
    probe('sns:ListSubscriptionsByTopic', () => readSubscriptions(sns, topicArn)),
  ]);
  return { ref, attributes, subscriptions };
}

/**
 * The SNS topics the named alarms (as read) notify, in the request's account and region, not read yet.
 * Other actions (Auto Scaling, SSM, other accounts' topics) are not the bot's to reuse.
 */
function alarmTopicsToRead(request: FactsRequest, facts: RemediationFacts): string[] {
  const arns = new Set<string>();
  for (const name of request.alarmTopicsOf ?? []) {
    const read = facts.alarms[name];
    if (!read?.ok || !read.value) continue;
    for (const arn of read.value.alarmActions) {
      const ref = parseTopicArn(arn);
      if (!ref || ref.accountId !== request.accountId || ref.region !== request.region) continue;
      if (!facts.topics[arn] && !request.topicArns.includes(arn)) arns.add(arn);
    }
  }
  return [...arns];
}

/**
 * Reads what the planner asked for, in the target account and region; failures become probe errors.
 * Two rounds: the alarms and topics asked for, then the topics of `alarmTopicsOf` alarms (known only once
 * those alarms are read), all recorded in `facts.topics`.
 */
export async function readRemediationFacts(
  clients: AwsClients,
  request: FactsRequest,
): Promise<RemediationFacts> {
  const facts: RemediationFacts = { alarms: {}, topics: {} };
  await Promise.all([
    ...request.alarmNames.map(async (name) => {
      facts.alarms[name] = await probe('cloudwatch:DescribeAlarms', () =>
        readAlarm(clients.cloudwatch, name),
      );
    }),
    ...request.topicArns.map(async (arn) => {
      facts.topics[arn] = await readTopic(clients.sns, arn);
    }),
  ]);
  await Promise.all(
    alarmTopicsToRead(request, facts).map(async (arn) => {
      facts.topics[arn] = await readTopic(clients.sns, arn);
    }),
  );
  return facts;
}
