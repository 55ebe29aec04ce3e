/**
 * SQS batch operations (SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch): 1 to 10
 * entries with distinct, well-formed ids; each entry succeeds or fails on its own (Failed[] with the
 * error's code and SenderFault), as AWS answers, by running the single-message logic of ./sqs.ts.
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import type { CallContext } from '../service';
import type { Queue } from '../sqs-queue';
import { queueFromUrl, sqsError } from './sqs-common';
import { changeOne, deleteOne, sendOne } from './sqs-messages';

function runBatch(
  ctx: CallContext,
  input: Input,
  action: string,
  each: (q: Queue, entry: Input) => Record<string, unknown>,
) {
  const q = queueFromUrl(ctx, input.reqStr('QueueUrl'), action);
  const entries = input.structs('Entries') ?? [];
  if (entries.length === 0)
    throw sqsError(
      'AWS.SimpleQueueService.EmptyBatchRequest',
      'There should be at least one entry in the request.',
    );
  if (entries.length > 10)
    throw sqsError(
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  const ids = entries.map((e) => e.reqStr('Id'));
  const bad = ids.find((id) => !/^[A-Za-z0-9_-]{1,80}$/.test(id));
  if (bad !== undefined)
    throw sqsError(
      'AWS.SimpleQueueService.InvalidBatchEntryId',
      `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.`,
    );
  if (new Set(ids).size !== ids.length)
    throw sqsError(
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
      'Two or more batch entries in the request have the same Id.',
    );
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  entries.forEach((entry, i) => {
    const Id = ids[i] as string;
    try {
      Successful.push({ Id, ...each(q, entry) });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      Failed.push({
        Id,
        SenderFault: error.fault === 'Sender',
        Code: error.errorCode,
        Message: error.message,
      });
    }
  });
  return { Successful, Failed };
}

export function sendMessageBatch(ctx: CallContext, input: Input) {
  return runBatch(ctx, input, 'SendMessage', (q, entry) => sendOne(ctx, q, entry));
}

export function deleteMessageBatch(ctx: CallContext, input: Input) {
  return runBatch(ctx, input, 'DeleteMessage', (q, entry) => {
    deleteOne(q, entry.reqStr('ReceiptHandle'));
    return {};
  });
}

export function changeVisibilityBatch(ctx: CallContext, input: Input) {
  return runBatch(ctx, input, 'ChangeMessageVisibility', (q, entry) => {
    changeOne(q, entry.reqStr('ReceiptHandle'), entry.reqNum('VisibilityTimeout'));
    return {};
  });
}
