/**
 * SQS (AWS JSON 1.0, target prefix AmazonSQS, awsQueryCompatible errors): queues (CreateQueue, GetQueueUrl,
 * GetQueueAttributes, SetQueueAttributes, ListQueues, DeleteQueue, PurgeQueue) and messages (SendMessage,
 * ReceiveMessage with long polling, DeleteMessage, ChangeMessageVisibility, and their batch forms). Queue
 * URLs are `http://<host the client used>/<account>/<name>`, so the SDK's queue-URL endpoint handling
 * routes them back here; AWS-style URLs (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME) are accepted too.
 * The queue engine (visibility, redrive, long polls) is ../sqs-queue.ts; messages are ./sqs-messages.ts.
 */
import type { Input } from '../input';
import { type CallContext, paginate, type ServiceDef } from '../service';
import { Queue } from '../sqs-queue';
import { checkQueueAttributes, queueAttributes } from './sqs-attributes';
import { changeVisibilityBatch, deleteMessageBatch, sendMessageBatch } from './sqs-batch';
import { authorize, invalidValue, noQueue, QUEUE_NAME, queueFromUrl, queueUrl, sqsError } from './sqs-common';
import { changeOne, deleteOne, receiveMessage, sendMessage } from './sqs-messages';

function queues(ctx: CallContext) {
  return ctx.state.region(ctx.caller.accountId, ctx.region);
}

function createQueue(ctx: CallContext, input: Input) {
  const name = input.reqStr('QueueName');
  if (name.endsWith('.fifo'))
    throw sqsError(
      'AWS.SimpleQueueService.UnsupportedOperation',
      'The sandbox emulates standard queues only.',
    );
  if (!QUEUE_NAME.test(name))
    throw invalidValue(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  const attributes = input.strMap('Attributes') ?? {};
  checkQueueAttributes(ctx, attributes);
  const r = queues(ctx);
  const existing = r.queues.get(name);
  if (existing) {
    for (const [k, v] of Object.entries(attributes)) {
      if (existing.attributes[k] !== v)
        throw sqsError(
          'QueueAlreadyExists',
          `A queue already exists with the same name and a different value for attribute ${k}`,
        );
    }
    return { QueueUrl: queueUrl(ctx, existing) };
  }
  const deletedAt = r.deletedQueues.get(name);
  if (deletedAt !== undefined && Date.now() - deletedAt < 60_000)
    throw sqsError(
      'AWS.SimpleQueueService.QueueDeletedRecently',
      'You must wait 60 seconds after deleting a queue before you can create another queue with the same name.',
    );
  const q = new Queue(name, ctx.caller.accountId, ctx.region, attributes);
  r.queues.set(name, q);
  return { QueueUrl: queueUrl(ctx, q) };
}

function getQueueUrl(ctx: CallContext, input: Input) {
  const name = input.reqStr('QueueName');
  const owner = input.str('QueueOwnerAWSAccountId') ?? ctx.caller.accountId;
  const q = ctx.state.accounts.get(owner)?.regions.get(ctx.region)?.queues.get(name);
  if (!q || q.deleted) throw noQueue();
  authorize(ctx, q, 'GetQueueUrl');
  return { QueueUrl: queueUrl(ctx, q) };
}

function listQueues(ctx: CallContext, input: Input) {
  const prefix = input.str('QueueNamePrefix') ?? '';
  const max = input.num('MaxResults') ?? 1000;
  if (max < 1 || max > 1000)
    throw invalidValue('Value for parameter MaxResults is invalid. Reason: Must be between 1 and 1000.');
  const list = [...queues(ctx).queues.values()]
    .filter((q) => !q.deleted && q.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const { page, nextToken } = paginate(
    list,
    (q) => q.name,
    input.str('NextToken'),
    max,
    () => invalidValue('Invalid NextToken value.'),
  );
  return { QueueUrls: page.map((q) => queueUrl(ctx, q)), NextToken: nextToken };
}

function getQueueAttributes(ctx: CallContext, input: Input) {
  const q = queueFromUrl(ctx, input.reqStr('QueueUrl'), 'GetQueueAttributes');
  return { Attributes: queueAttributes(q, input.strList('AttributeNames') ?? []) };
}

function setQueueAttributes(ctx: CallContext, input: Input) {
  const q = queueFromUrl(ctx, input.reqStr('QueueUrl'), 'SetQueueAttributes');
  const attributes = input.strMap('Attributes');
  if (!attributes) throw sqsError('MissingParameter', 'The request must contain the parameter Attributes.');
  checkQueueAttributes(ctx, attributes, q);
  Object.assign(q.attributes, attributes);
  // An empty Policy or RedrivePolicy removes it, as AWS does.
  for (const k of ['Policy', 'RedrivePolicy']) if (q.attributes[k] === '') delete q.attributes[k];
  q.lastModifiedAt = Date.now();
  return undefined;
}

function deleteQueue(ctx: CallContext, input: Input) {
  const q = queueFromUrl(ctx, input.reqStr('QueueUrl'), 'DeleteQueue');
  q.close();
  const r = ctx.state.region(q.accountId, q.region);
  r.queues.delete(q.name);
  r.deletedQueues.set(q.name, Date.now());
  return undefined;
}

function purgeQueue(ctx: CallContext, input: Input) {
  const q = queueFromUrl(ctx, input.reqStr('QueueUrl'), 'PurgeQueue');
  if (q.purgedAt !== undefined && Date.now() - q.purgedAt < 60_000)
    throw sqsError(
      'AWS.SimpleQueueService.PurgeQueueInProgress',
      `Only one PurgeQueue operation on ${q.name} is allowed every 60 seconds.`,
      403,
    );
  q.purge();
  return undefined;
}

function deleteMessage(ctx: CallContext, input: Input) {
  deleteOne(queueFromUrl(ctx, input.reqStr('QueueUrl'), 'DeleteMessage'), input.reqStr('ReceiptHandle'));
  return undefined;
}

function changeMessageVisibility(ctx: CallContext, input: Input) {
  const q = queueFromUrl(ctx, input.reqStr('QueueUrl'), 'ChangeMessageVisibility');
  changeOne(q, input.reqStr('ReceiptHandle'), input.reqNum('VisibilityTimeout'));
  return undefined;
}

export const sqs: ServiceDef = {
  name: 'sqs',
  iamPrefix: 'sqs',
  operations: {
    CreateQueue: createQueue,
    GetQueueUrl: getQueueUrl,
    ListQueues: listQueues,
    GetQueueAttributes: getQueueAttributes,
    SetQueueAttributes: setQueueAttributes,
    DeleteQueue: deleteQueue,
    PurgeQueue: purgeQueue,
    SendMessage: sendMessage,
    SendMessageBatch: sendMessageBatch,
    ReceiveMessage: receiveMessage,
    DeleteMessage: deleteMessage,
    DeleteMessageBatch: deleteMessageBatch,
    ChangeMessageVisibility: changeMessageVisibility,
    ChangeMessageVisibilityBatch: changeVisibilityBatch,
  },
  fail: (member, problem) =>
    problem === 'missing'
      ? sqsError('MissingParameter', `The request must contain the parameter ${member}.`)
      : invalidValue(`Invalid value for the parameter ${member}.`),
  resource(_operation, ctx, input) {
    const url = input.raw.QueueUrl;
    const name = typeof url === 'string' ? url.split('/').pop() : input.raw.QueueName;
    return `arn:aws:sqs:${ctx.region}:${ctx.caller.accountId}:${typeof name === 'string' ? name : '*'}`;
  },
};
