/**
 * SQS message operations: SendMessage (and the per-entry logic SendMessageBatch reuses), ReceiveMessage
 * with long polling, system and message attributes, and the per-handle DeleteMessage and
 * ChangeMessageVisibility logic, with AWS's answers for stale, invalid and not-in-flight handles.
 */
import type { Input } from '../input';
import type { CallContext } from '../service';
import { type MessageAttribute, md5OfAttributes, type Queue, type QueueMessage } from '../sqs-queue';
import { invalidValue, queueFromUrl, redriveOf, sqsError } from './sqs-common';

/** Checks a message body and attributes as SendMessage does; shared with SendMessageBatch. */
export function checkMessage(q: Queue, body: string, attributes: Record<string, MessageAttribute>): void {
  if (body.length === 0)
    throw sqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  if (Buffer.byteLength(body, 'utf8') > Number(q.attributes.MaximumMessageSize))
    throw invalidValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${q.attributes.MaximumMessageSize} bytes.`,
    );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: SQS's allowed characters are defined by code points.
  if (/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\uD800-\uDFFF]/.test(body))
    throw sqsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  for (const [name, a] of Object.entries(attributes)) {
    if (!/^(String|Number|Binary)(\..+)?$/.test(a.DataType ?? ''))
      throw invalidValue(`The message attribute '${name}' has an invalid message attribute type.`);
  }
}

/** Reads MessageAttributes (JSON: a map of {DataType, StringValue, BinaryValue}). */
export function messageAttributes(input: Input): Record<string, MessageAttribute> {
  const raw = input.raw.MessageAttributes;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidValue('MessageAttributes must be a map.');
  return raw as Record<string, MessageAttribute>;
}

export function sendOne(ctx: CallContext, q: Queue, input: Input) {
  const body = input.str('MessageBody') ?? '';
  const attributes = messageAttributes(input);
  checkMessage(q, body, attributes);
  const delay = input.num('DelaySeconds');
  if (delay !== undefined && (delay < 0 || delay > 900))
    throw invalidValue(
      `Value ${delay} for parameter DelaySeconds is invalid. Reason: Must be >= 0 and <= 900, if provided.`,
    );
  const m = q.send({
    id: ctx.nextId(),
    body,
    attributes,
    senderId: ctx.caller.userId,
    sentAt: Date.now(),
    ...(delay !== undefined ? { delaySeconds: delay } : {}),
  });
  return { MessageId: m.id, MD5OfMessageBody: m.md5, MD5OfMessageAttributes: md5OfAttributes(attributes) };
}

export function sendMessage(ctx: CallContext, input: Input) {
  return sendOne(ctx, queueFromUrl(ctx, input.reqStr('QueueUrl'), 'SendMessage'), input);
}

function systemAttributes(m: QueueMessage, wanted: string[]): Record<string, string> | undefined {
  if (wanted.length === 0) return undefined;
  const all: Record<string, string> = {
    SenderId: m.senderId,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
  };
  if (wanted.includes('All')) return all;
  return Object.fromEntries(Object.entries(all).filter(([k]) => wanted.includes(k)));
}

function range(name: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (value < min || value > max || !Number.isInteger(value)))
    throw invalidValue(
      `Value ${value} for parameter ${name} is invalid. Reason: Must be >= ${min} and <= ${max}, if provided.`,
    );
}

export async function receiveMessage(ctx: CallContext, input: Input) {
  const q = queueFromUrl(ctx, input.reqStr('QueueUrl'), 'ReceiveMessage');
  const max = input.num('MaxNumberOfMessages') ?? 1;
  if (max < 1 || max > 10 || !Number.isInteger(max))
    throw invalidValue(
      `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
    );
  const visibility = input.num('VisibilityTimeout');
  range('VisibilityTimeout', visibility, 0, 43200);
  const wait = input.num('WaitTimeSeconds');
  range('WaitTimeSeconds', wait, 0, 20);
  const wanted = [
    ...(input.strList('MessageSystemAttributeNames') ?? []),
    ...(input.strList('AttributeNames') ?? []),
  ];
  const attributeNames = input.strList('MessageAttributeNames') ?? [];
  const got = await q.receive(
    max,
    visibility ?? Number(q.attributes.VisibilityTimeout),
    wait ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds),
    () => redriveOf(ctx, q),
    ctx.signal,
  );
  // AWS omits Messages when the receive found none.
  if (got.length === 0) return {};
  return {
    Messages: got.map((m) => {
      const picked = Object.fromEntries(
        Object.entries(m.attributes).filter(
          ([k]) =>
            attributeNames.includes('All') || attributeNames.includes('.*') || attributeNames.includes(k),
        ),
      );
      return {
        MessageId: m.id,
        ReceiptHandle: m.handle,
        MD5OfBody: m.md5,
        Body: m.body,
        Attributes: systemAttributes(m, wanted),
        MD5OfMessageAttributes: md5OfAttributes(picked),
        MessageAttributes: Object.keys(picked).length > 0 ? picked : undefined,
      };
    }),
  };
}

const invalidHandle = (handle: string) =>
  sqsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
    404,
  );

/** Deletes one message by handle; a stale or already-deleted handle succeeds and deletes nothing, as in AWS. */
export function deleteOne(q: Queue, handle: string): void {
  if (q.delete(handle) === 'invalid') throw invalidHandle(handle);
}

export function changeOne(q: Queue, handle: string, seconds: number): void {
  range('VisibilityTimeout', seconds, 0, 43200);
  const result = q.changeVisibility(handle, seconds);
  if (result === 'invalid') throw invalidHandle(handle);
  if (result === 'gone')
    throw invalidValue(
      `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
    );
  if (result === 'not-in-flight')
    throw sqsError('AWS.SimpleQueueService.MessageNotInflight', 'The message referred to is not in flight.');
}
