/**
 * SNS Publish: validates the message as AWS does (size, subject, JSON message structure), refuses it when
 * the topic's KMS key cannot be used by the publisher (KMSNotFound, KMSDisabled, KMSAccessDenied, as SNS
 * answers), and fans it out to the confirmed subscriptions (../sns-delivery.ts).
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import { canUseTopicKey } from '../kms-keys';
import { type CallContext, isDenied } from '../service';
import { publishToTopic } from '../sns-delivery';
import type { TopicState } from '../state';
import { findTopic, invalid } from './sns-common';

/** Why SNS could not use the topic's key for this publisher, as SNS reports it; undefined when it can. */
export function keyError(ctx: CallContext, topic: TopicState): ApiError | undefined {
  const keyRef = topic.attributes.KmsMasterKeyId;
  if (!keyRef) return undefined;
  const region = topic.arn.split(':')[3] ?? ctx.region;
  const use = canUseTopicKey(
    ctx.state,
    keyRef,
    { owner: topic.owner, region, arn: topic.arn },
    { account: ctx.caller.accountId, arn: ctx.caller.arn },
    {},
    !isDenied(ctx.caller, 'kms:GenerateDataKey'),
  );
  if (use === 'missing')
    return new ApiError(
      'KMSNotFound',
      `Invalid keyId ${keyRef} (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException)`,
    );
  if (use === 'disabled')
    return new ApiError(
      'KMSDisabled',
      `${keyRef} is disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException)`,
    );
  if (use === 'denied')
    return new ApiError(
      'KMSAccessDenied',
      `User: ${ctx.caller.arn} is not authorized to perform: kms:GenerateDataKey on resource: ${keyRef} (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)`,
    );
  return undefined;
}

export function publish(ctx: CallContext, input: Input) {
  const arn = input.str('TopicArn') ?? input.str('TargetArn');
  if (!arn) {
    if (input.has('PhoneNumber')) throw invalid('Invalid parameter: PhoneNumber (the sandbox sends no SMS)');
    throw invalid('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  }
  const message = input.reqStr('Message');
  if (Buffer.byteLength(message, 'utf8') > 262144) throw invalid('Invalid parameter: Message too long');
  const subject = input.str('Subject');
  if (subject !== undefined && (subject.length === 0 || subject.length > 100 || /[\r\n]/.test(subject)))
    throw invalid('Invalid parameter: Subject');
  const structure = input.str('MessageStructure');
  if (structure !== undefined) {
    if (structure !== 'json') throw invalid('Invalid parameter: MessageStructure');
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw invalid('Invalid parameter: Message Structure - JSON message body failed to parse');
    }
    if (
      !parsed ||
      typeof parsed !== 'object' ||
      typeof (parsed as { default?: unknown }).default !== 'string'
    )
      throw invalid('Invalid parameter: Message Structure - No default entry in JSON message body');
  }
  const topic = findTopic(ctx, arn);
  const problem = keyError(ctx, topic);
  if (problem) throw problem;
  const messageId = publishToTopic(
    ctx.state,
    topic,
    { message, ...(subject !== undefined ? { subject } : {}), ...(structure ? { structure } : {}) },
    ctx.nextId,
  );
  return { MessageId: messageId };
}
