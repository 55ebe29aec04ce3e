/**
 * SNS (query protocol, Version 2010-03-31): CreateTopic (idempotent by name), GetTopicAttributes,
 * SetTopicAttributes, Subscribe, ConfirmSubscription, ListSubscriptionsByTopic (pages of 100), ListTopics,
 * Unsubscribe, DeleteTopic, Publish (./sns-publish.ts) and Add/RemovePermission (./sns-permissions.ts). email/email-json/http/https/sms subscriptions
 * wait for confirmation and are listed as "PendingConfirmation"; sqs/lambda/application/firehose are
 * confirmed at once, except an SQS queue of another account subscribed by the topic's side, which gets a
 * SubscriptionConfirmation message as in AWS. The sandbox's confirmation token is the subscription's id
 * (also reachable through Sandbox.confirmSubscription). Other accounts reach a topic only where its
 * policy allows them.
 */
import type { Input } from '../input';
import { SUBSCRIPTION_PROTOCOLS } from '../scenario';
import { type CallContext, paginate, type ServiceDef } from '../service';
import { sendConfirmation } from '../sns-delivery';
import { confirmsAtOnce, newTopic, type SubscriptionState, type TopicState } from '../state';
import { findTopic, findTopicIn, invalid, notFound, TOPIC_ARN } from './sns-common';
import { addPermission, removePermission } from './sns-permissions';
import { publish } from './sns-publish';

const PAGE = 100;
const SETTABLE = [
  'Policy',
  'DisplayName',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'TracingConfig',
  'SignatureVersion',
  'ContentBasedDeduplication',
  'DataProtectionPolicy',
];

function checkPolicy(value: string): void {
  try {
    const doc = JSON.parse(value) as unknown;
    if (!doc || typeof doc !== 'object' || !('Statement' in doc)) throw new Error('no Statement');
  } catch {
    throw invalid('Invalid parameter: Policy Error: null');
  }
}

function createTopic(ctx: CallContext, input: Input) {
  const name = input.reqStr('Name');
  if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name)) throw invalid('Invalid parameter: Topic Name');
  const attributes = input.strMap('Attributes') ?? {};
  for (const [k, v] of Object.entries(attributes)) {
    if (!SETTABLE.includes(k) && k !== 'FifoTopic')
      throw invalid(`Invalid parameter: Attributes Reason: Unknown attribute ${k}`);
    if (k === 'Policy') checkPolicy(v);
  }
  const topics = ctx.state.region(ctx.caller.accountId, ctx.region).topics;
  const existing = topics.get(name);
  if (existing) {
    // AWS: CreateTopic is idempotent, unless the attributes asked for differ from the topic's.
    for (const [k, v] of Object.entries(attributes)) {
      if (existing.attributes[k] !== v)
        throw invalid('Invalid parameter: Attributes Reason: Topic already exists with different attributes');
    }
    return { TopicArn: existing.arn };
  }
  const topic = newTopic(name, ctx.region, ctx.caller.accountId);
  Object.assign(topic.attributes, attributes);
  topics.set(name, topic);
  ctx.changed([topic.arn]);
  return { TopicArn: topic.arn };
}

function getTopicAttributes(ctx: CallContext, input: Input) {
  const topic = findTopic(ctx, input.reqStr('TopicArn'));
  const confirmed = topic.subscriptions.filter((s) => s.confirmed).length;
  const attributes = new Map<string, string>([
    ...Object.entries(topic.attributes),
    ['TopicArn', topic.arn],
    ['Owner', topic.owner],
    ['SubscriptionsConfirmed', String(confirmed)],
    ['SubscriptionsPending', String(topic.subscriptions.length - confirmed)],
    ['SubscriptionsDeleted', '0'],
    [
      'EffectiveDeliveryPolicy',
      JSON.stringify({
        http: {
          defaultHealthyRetryPolicy: {
            minDelayTarget: 20,
            maxDelayTarget: 20,
            numRetries: 3,
            numMaxDelayRetries: 0,
            numNoDelayRetries: 0,
            numMinDelayRetries: 0,
            backoffFunction: 'linear',
          },
          disableSubscriptionOverrides: false,
          defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
        },
      }),
    ],
  ]);
  return { Attributes: attributes };
}

function setTopicAttributes(ctx: CallContext, input: Input) {
  const topic = findTopic(ctx, input.reqStr('TopicArn'));
  const name = input.reqStr('AttributeName');
  const value = input.str('AttributeValue') ?? '';
  if (!SETTABLE.includes(name)) throw invalid('Invalid parameter: AttributeName');
  if (name === 'Policy') checkPolicy(value);
  if (topic.attributes[name] !== value) ctx.changed([topic.arn]);
  topic.attributes[name] = value;
  return undefined;
}

function subscriptionArn(topic: TopicState, s: SubscriptionState): string {
  return `${topic.arn}:${s.id}`;
}

function subscribe(ctx: CallContext, input: Input) {
  const topic = findTopic(ctx, input.reqStr('TopicArn'));
  const protocol = input.reqStr('Protocol');
  if (!(SUBSCRIPTION_PROTOCOLS as readonly string[]).includes(protocol))
    throw invalid('Invalid parameter: Amazon SNS does not support this protocol string.');
  const endpoint = input.str('Endpoint');
  if (!endpoint) throw invalid('Invalid parameter: Endpoint');
  if ((protocol === 'email' || protocol === 'email-json') && !/^[^@\s]+@[^@\s]+$/.test(endpoint))
    throw invalid('Invalid parameter: Email address');
  if ((protocol === 'http' || protocol === 'https') && !endpoint.startsWith(`${protocol}://`))
    throw invalid(`Invalid parameter: Endpoint must match the specified protocol`);
  if ((protocol === 'sqs' || protocol === 'lambda') && !endpoint.startsWith('arn:'))
    throw invalid('Invalid parameter: Endpoint must be an ARN');
  const returnArn = input.bool('ReturnSubscriptionArn') ?? false;
  let sub = topic.subscriptions.find((s) => s.protocol === protocol && s.endpoint === endpoint);
  if (!sub) {
    // A queue of another account subscribed from the topic's side waits for its owner to confirm.
    const foreignQueue = protocol === 'sqs' && endpoint.split(':')[4] !== ctx.caller.accountId;
    sub = {
      id: ctx.nextId(),
      protocol,
      endpoint,
      confirmed: confirmsAtOnce(protocol) && !foreignQueue,
      owner: ctx.caller.accountId,
      attributes: input.strMap('Attributes') ?? {},
    };
    topic.subscriptions.push(sub);
    if (foreignQueue) sendConfirmation(ctx.state, topic, sub, ctx.nextId);
    ctx.changed([topic.arn]);
  }
  return {
    SubscriptionArn: sub.confirmed || returnArn ? subscriptionArn(topic, sub) : 'pending confirmation',
  };
}

/** The token is the authority here (the queue owner confirms a topic of another account), not the topic policy. */
function confirmSubscription(ctx: CallContext, input: Input) {
  const arn = input.reqStr('TopicArn');
  if (TOPIC_ARN.exec(arn)?.[1] !== ctx.region) throw invalid('Invalid parameter: TopicArn');
  const topic = findTopicIn(ctx.state, arn);
  const token = input.reqStr('Token');
  const sub = topic.subscriptions.find((s) => s.id === token);
  if (!sub) throw invalid('Invalid token');
  if (!sub.confirmed) ctx.changed([topic.arn]);
  sub.confirmed = true;
  return { SubscriptionArn: subscriptionArn(topic, sub) };
}

function listSubscriptionsByTopic(ctx: CallContext, input: Input) {
  const topic = findTopic(ctx, input.reqStr('TopicArn'));
  const sorted = [...topic.subscriptions].sort((a, b) => (a.id < b.id ? -1 : 1));
  const { page, nextToken } = paginate(
    sorted,
    (s) => s.id,
    input.str('NextToken'),
    PAGE,
    () => invalid('Invalid parameter: NextToken'),
  );
  return {
    Subscriptions: page.map((s) => ({
      SubscriptionArn: s.confirmed ? subscriptionArn(topic, s) : 'PendingConfirmation',
      Owner: s.owner,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      TopicArn: topic.arn,
    })),
    NextToken: nextToken,
  };
}

function listTopics(ctx: CallContext, input: Input) {
  const topics = [...ctx.state.region(ctx.caller.accountId, ctx.region).topics.values()].sort((a, b) =>
    a.arn < b.arn ? -1 : 1,
  );
  const { page, nextToken } = paginate(
    topics,
    (t) => t.arn,
    input.str('NextToken'),
    PAGE,
    () => invalid('Invalid parameter: NextToken'),
  );
  return { Topics: page.map((t) => ({ TopicArn: t.arn })), NextToken: nextToken };
}

function unsubscribe(ctx: CallContext, input: Input) {
  const arn = input.reqStr('SubscriptionArn');
  const cut = arn.lastIndexOf(':');
  const topic = findTopic(ctx, arn.slice(0, cut));
  const index = topic.subscriptions.findIndex((s) => s.id === arn.slice(cut + 1));
  if (index < 0) throw notFound('Subscription');
  topic.subscriptions.splice(index, 1);
  ctx.changed([arn]);
  return undefined;
}

/** Deletes a topic and its subscriptions; deleting a topic that does not exist succeeds, as in AWS. */
function deleteTopic(ctx: CallContext, input: Input) {
  const arn = input.reqStr('TopicArn');
  const m = TOPIC_ARN.exec(arn);
  const exists =
    m?.[1] &&
    m[3] &&
    ctx.state.accounts
      .get(m[2] ?? '')
      ?.regions.get(m[1])
      ?.topics.has(m[3]);
  if (!exists || !m?.[3]) return undefined;
  findTopic(ctx, arn);
  ctx.state.region(m[2] ?? '', m[1] ?? '').topics.delete(m[3]);
  ctx.changed([arn]);
  return undefined;
}

export const sns: ServiceDef = {
  name: 'sns',
  iamPrefix: 'sns',
  operations: {
    CreateTopic: createTopic,
    GetTopicAttributes: getTopicAttributes,
    SetTopicAttributes: setTopicAttributes,
    Subscribe: subscribe,
    ConfirmSubscription: confirmSubscription,
    ListSubscriptionsByTopic: listSubscriptionsByTopic,
    ListTopics: listTopics,
    Unsubscribe: unsubscribe,
    DeleteTopic: deleteTopic,
    Publish: publish,
    AddPermission: addPermission,
    RemovePermission: removePermission,
  },
  fail: (member) => invalid(`Invalid parameter: ${member}`),
  resource(_operation, ctx, input) {
    const arn = input.raw.TopicArn;
    if (typeof arn === 'string') return arn;
    const name = input.raw.Name;
    return `arn:aws:sns:${ctx.region}:${ctx.caller.accountId}:${typeof name === 'string' ? name : '*'}`;
  },
};
