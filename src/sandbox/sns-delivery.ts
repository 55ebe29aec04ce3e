/**
 * SNS fan-out: a message published to a topic (by Publish, or by a CloudWatch alarm action) goes to every
 * confirmed subscription. An SQS subscription gets the SNS JSON envelope (or the raw message with
 * RawMessageDelivery), only when the queue policy lets the topic send; other protocols are recorded as
 * delivered (nothing leaves the machine). Also the SubscriptionConfirmation message a cross-account SQS
 * subscription receives, whose Token confirms it.
 */
import { deliverToQueue } from './queue-delivery';
import type { SandboxState, SubscriptionState, TopicState } from './state';

export interface SnsMessage {
  message: string;
  subject?: string;
  /** `json`: `message` holds one text per protocol, with `default` for the others. */
  structure?: string;
  attributes?: Record<string, { Type: string; Value: string }>;
}

function regionOf(topic: TopicState): string {
  return topic.arn.split(':')[3] ?? 'us-east-1';
}

/** A placeholder signature: consumers cannot verify AWS's signature in a sandbox either way. */
function signature(messageId: string): string {
  return Buffer.from(`sandbox-signature:${messageId}`.repeat(4), 'utf8').toString('base64');
}

function envelope(topic: TopicState, fields: Record<string, unknown>, messageId: string): string {
  const region = regionOf(topic);
  return JSON.stringify({
    ...fields,
    MessageId: messageId,
    TopicArn: topic.arn,
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    Signature: signature(messageId),
    SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-sandbox.pem`,
  });
}

function textFor(m: SnsMessage, protocol: string): string {
  if (m.structure !== 'json') return m.message;
  const parsed = JSON.parse(m.message) as Record<string, string>;
  return parsed[protocol] ?? parsed.default ?? '';
}

function deliverToSqs(
  state: SandboxState,
  topic: TopicState,
  sub: SubscriptionState,
  body: string,
  nextId: () => string,
) {
  deliverToQueue(
    state,
    sub.endpoint,
    body,
    {
      service: 'sns.amazonaws.com',
      sourceArn: topic.arn,
      sourceAccount: topic.owner,
      logSource: topic.arn,
      protocol: 'sqs',
      policyRequired: true,
    },
    nextId,
  );
}

/** Delivers a published message to the topic's confirmed subscriptions; returns the MessageId. */
export function publishToTopic(
  state: SandboxState,
  topic: TopicState,
  m: SnsMessage,
  nextId: () => string,
): string {
  const messageId = nextId();
  const region = regionOf(topic);
  for (const sub of topic.subscriptions) {
    if (!sub.confirmed) continue;
    const text = textFor(m, sub.protocol);
    if (sub.protocol !== 'sqs') {
      state.recordDelivery({
        source: topic.arn,
        protocol: sub.protocol,
        endpoint: sub.endpoint,
        outcome: 'delivered',
      });
      continue;
    }
    const raw = sub.attributes.RawMessageDelivery === 'true';
    const body = raw
      ? text
      : envelope(
          topic,
          {
            Type: 'Notification',
            ...(m.subject !== undefined ? { Subject: m.subject } : {}),
            Message: text,
            UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topic.arn}:${sub.id}`,
            ...(m.attributes && Object.keys(m.attributes).length > 0
              ? { MessageAttributes: m.attributes }
              : {}),
          },
          messageId,
        );
    deliverToSqs(state, topic, sub, body, nextId);
  }
  return messageId;
}

/** Sends the SubscriptionConfirmation message to a pending SQS subscription (its Token is the subscription id). */
export function sendConfirmation(
  state: SandboxState,
  topic: TopicState,
  sub: SubscriptionState,
  nextId: () => string,
) {
  const region = regionOf(topic);
  const body = envelope(
    topic,
    {
      Type: 'SubscriptionConfirmation',
      Token: sub.id,
      Message: `You have chosen to subscribe to the topic ${topic.arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: `https://sns.${region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${topic.arn}&Token=${sub.id}`,
    },
    nextId(),
  );
  deliverToSqs(state, topic, sub, body, nextId);
}
