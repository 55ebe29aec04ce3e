/**
 * What the drift-alert tests share: the bundled demo scenario with an events queue (and its dead-letter
 * queue) in the security account, every member's chain changes routed to it; the `events:` settings
 * that point the bot at it, with short intervals; SDK clients that act as a person in a member account;
 * and a bounded wait for something the bot does in the background.
 */
import { readFileSync } from 'node:fs';
import { CloudWatchClient, type MetricAlarm, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parse, stringify } from 'yaml';
import { bundledScenario, type SandboxRun } from '../../src/sandbox-run';

export const SECURITY = '999900000001';
export const PROD = '111111111111';
export const REGION = 'eu-west-2';
export const QUEUE = 'cis-bot-events';
export const DLQ = 'cis-bot-events-dlq';

/** audit-demo plus the queue, its DLQ (after `maxReceiveCount` receives) and the EventBridge route. */
export function scenarioWithQueue(options: { visibility?: number; maxReceiveCount?: number } = {}): string {
  const scenario = parse(readFileSync(bundledScenario('audit-demo'), 'utf8')) as {
    accounts: Array<{ id: string; regions?: Record<string, Record<string, unknown>> }>;
    events?: unknown[];
  };
  const security = scenario.accounts.find((a) => a.id === SECURITY);
  if (!security) throw new Error('audit-demo has no security account');
  security.regions = {
    [REGION]: {
      queues: [
        {
          name: QUEUE,
          visibility_timeout: options.visibility ?? 30,
          redrive: { dead_letter_queue: DLQ, max_receive_count: options.maxReceiveCount ?? 3 },
        },
        { name: DLQ },
      ],
    },
  };
  scenario.events = [{ queue: `arn:aws:sqs:${REGION}:${SECURITY}:${QUEUE}` }];
  return stringify(scenario);
}

export function queueUrl(run: SandboxRun, name = QUEUE): string {
  return `${run.sandbox.endpoint}/${SECURITY}/${name}`;
}

/** The `events:` section for the sandbox's queue, posting to `channels` (short waits for tests). */
export function eventsSettings(run: SandboxRun, channels: unknown[], extra: Record<string, unknown> = {}) {
  return {
    events: {
      queue_url: queueUrl(run),
      targets: { slack: channels },
      debounce_ms: 100,
      wait_seconds: 1,
      busy_retry_ms: 100,
      ...extra,
    },
  };
}

/** A person in `account` (its own access key, as an IAM user), calling CloudWatch. */
export function cloudWatchAs(run: SandboxRun, account: string): CloudWatchClient {
  return new CloudWatchClient({
    endpoint: run.sandbox.endpoint,
    region: REGION,
    credentials: run.sandbox.credentialsFor(account),
    maxAttempts: 1,
  });
}

/** Puts a deleted alarm back as DescribeAlarms showed it (a person undoing the change). */
export function putAlarmBack(alarm: MetricAlarm): PutMetricAlarmCommand {
  return new PutMetricAlarmCommand({
    AlarmName: alarm.AlarmName,
    MetricName: alarm.MetricName,
    Namespace: alarm.Namespace,
    Statistic: alarm.Statistic,
    Period: alarm.Period,
    EvaluationPeriods: alarm.EvaluationPeriods,
    Threshold: alarm.Threshold,
    ComparisonOperator: alarm.ComparisonOperator,
    AlarmActions: alarm.AlarmActions,
  });
}

export function sqsAs(run: SandboxRun, account = SECURITY): SQSClient {
  return new SQSClient({
    endpoint: run.sandbox.endpoint,
    region: REGION,
    credentials: run.sandbox.credentialsFor(account),
    maxAttempts: 1,
  });
}

/** Messages in a queue: waiting, and received but not deleted. */
export async function queueDepth(
  sqs: SQSClient,
  url: string,
): Promise<{ visible: number; inFlight: number }> {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(a.ApproximateNumberOfMessages),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible),
  };
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs` (a bound, not a measurement). */
export async function waitFor<T>(
  what: string,
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
