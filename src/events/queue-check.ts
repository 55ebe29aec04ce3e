/**
 * The start-up check of the drift-alert queue: GetQueueAttributes (the one read the poller's permissions
 * include for it) proves the queue exists where `events.queue_url` says and that cis-bot may use it, and
 * reads the visibility timeout and redrive policy the poller works with. A missing or denied queue is a
 * ConfigError that names the setting and the permissions, before the bot serves anything.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { EVENTS_QUEUE_ACTIONS } from '../core/drift/queue-actions';
import { ConfigError } from '../core/errors';

export { EVENTS_QUEUE_ACTIONS };

export interface QueueFacts {
  arn: string | undefined;
  visibilityTimeoutSeconds: number;
  /** The dead-letter queue poison messages move to, when the queue has a redrive policy. */
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'KMS.AccessDeniedException',
]);
const MISSING = new Set([
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NonExistentQueue',
  'InvalidAddress',
]);

function codeOf(error: unknown): string {
  const e = error as { name?: unknown; Code?: unknown; Error?: { Code?: unknown } };
  return String(e.Code ?? e.Error?.Code ?? e.name ?? 'Error');
}

export async function checkEventsQueue(sqs: SQSClient, queueUrl: string): Promise<QueueFacts> {
  let attributes: Record<string, string>;
  try {
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['QueueArn', 'VisibilityTimeout', 'RedrivePolicy'],
      }),
    );
    attributes = out.Attributes ?? {};
  } catch (error) {
    const code = codeOf(error);
    const grant = `cis-bot's identity needs ${EVENTS_QUEUE_ACTIONS.join(', ')} on it (\`cis-bot iam-policy --events\` prints the statement)`;
    if (DENIED.has(code)) {
      throw new ConfigError(
        `events.queue_url: access to the queue ${queueUrl} is denied (sqs:GetQueueAttributes, ${code}): ${grant}.`,
      );
    }
    if (MISSING.has(code)) {
      throw new ConfigError(
        `events.queue_url: the queue ${queueUrl} does not exist (${code}); create it with \`cis-bot events setup\`, or check the URL and events.region. Then ${grant}.`,
      );
    }
    throw new ConfigError(
      `events.queue_url: cis-bot could not read the queue ${queueUrl} (sqs:GetQueueAttributes failed with ${code}: ${(error as Error).message}).`,
    );
  }
  const facts: QueueFacts = {
    arn: attributes.QueueArn,
    visibilityTimeoutSeconds: Number(attributes.VisibilityTimeout ?? 30),
  };
  if (attributes.RedrivePolicy) {
    try {
      const redrive = JSON.parse(attributes.RedrivePolicy) as {
        deadLetterTargetArn?: string;
        maxReceiveCount?: number | string;
      };
      if (redrive.deadLetterTargetArn && redrive.maxReceiveCount !== undefined) {
        facts.redrive = {
          deadLetterTargetArn: redrive.deadLetterTargetArn,
          maxReceiveCount: Number(redrive.maxReceiveCount),
        };
      }
    } catch {
      // An unreadable redrive policy counts as none: the poller then bounds poison messages itself.
    }
  }
  return facts;
}
