/**
 * SQS queue attributes: which names exist, which values SetQueueAttributes/CreateQueue accept (ranges,
 * JSON policies, a redrive policy whose dead-letter queue exists), and GetQueueAttributes' answer with the
 * computed ones (QueueArn, ApproximateNumberOfMessages*, timestamps).
 */
import type { CallContext } from '../service';
import type { Queue } from '../sqs-queue';
import { invalidValue, sqsError } from './sqs-common';

const RANGES: Record<string, [number, number]> = {
  VisibilityTimeout: [0, 43200],
  MessageRetentionPeriod: [60, 1209600],
  MaximumMessageSize: [1024, 1048576],
  DelaySeconds: [0, 900],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};
const SETTABLE = [
  ...Object.keys(RANGES),
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'SqsManagedSseEnabled',
];
const COMPUTED = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
];

const badValue = (name: string) =>
  sqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);

function checkJson(name: string, value: string): Record<string, unknown> {
  try {
    const doc = JSON.parse(value) as unknown;
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw badValue(name);
}

/** Validates attributes for CreateQueue / SetQueueAttributes (`self` is the queue being changed, if any). */
export function checkQueueAttributes(
  ctx: CallContext,
  attributes: Record<string, string>,
  self?: Queue,
): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'FifoQueue' && value === 'true')
      throw sqsError(
        'AWS.SimpleQueueService.UnsupportedOperation',
        'The sandbox emulates standard queues only.',
      );
    if (!SETTABLE.includes(name) && name !== 'FifoQueue')
      throw sqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    const range = RANGES[name];
    if (range) {
      const n = Number(value);
      if (value.trim() === '' || !Number.isInteger(n) || n < range[0] || n > range[1]) throw badValue(name);
    }
    if (name === 'Policy' && value !== '') checkJson(name, value);
    if (name === 'RedrivePolicy' && value !== '') {
      const doc = checkJson(name, value);
      const target = typeof doc.deadLetterTargetArn === 'string' ? doc.deadLetterTargetArn : '';
      const count = Number(doc.maxReceiveCount);
      if (!Number.isInteger(count) || count < 1 || count > 1000)
        throw invalidValue(
          `Value ${value} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${doc.maxReceiveCount}, valid values are from 1 to 1000 both inclusive.`,
        );
      const [, , , region, account, name2] = target.split(':');
      const dlq = account
        ? ctx.state.accounts
            .get(account)
            ?.regions.get(region ?? '')
            ?.queues.get(name2 ?? '')
        : undefined;
      if (!dlq || dlq.deleted || dlq === self || account !== ctx.caller.accountId || region !== ctx.region)
        throw invalidValue(
          `Value ${value} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
        );
    }
  }
}

export function queueAttributes(q: Queue, names: string[]): Map<string, string> {
  const wanted = names.includes('All') ? [...SETTABLE, ...COMPUTED] : names;
  for (const n of wanted)
    if (!SETTABLE.includes(n) && !COMPUTED.includes(n))
      throw sqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
  const counts = q.counts();
  const computed: Record<string, string> = {
    QueueArn: q.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(q.lastModifiedAt / 1000)),
  };
  const out = new Map<string, string>();
  for (const n of wanted) {
    const v = computed[n] ?? q.attributes[n];
    if (v !== undefined) out.set(n, v);
  }
  return out;
}
