/**
 * SNS (query protocol, Version 2010-03-31): CreateTopic (idempotent by name), GetTopicAttributes,
 * SetTopicAttributes, Subscribe, ConfirmSubscription, ListSubscriptionsByTopic (pages of 100), plus
 * ListTopics and Unsubscribe. email/email-json/http/https/sms subscriptions wait for confirmation and are
 * listed as "PendingConfirmation"; sqs/lambda/application/firehose are confirmed at once. The sandbox's
 * confirmation token is the subscription's id (also reachable through Sandbox.confirmSubscription).
 */
import { ApiError } from '../api-error';
import type { Input } from '../input';
import { SUBSCRIPTION_PROTOCOLS } from '../scenario';
import { type CallContext, paginate, type ServiceDef } from '../service';
import {
  confirmsAtOnce,
  newTopic,
  type SandboxState,
  type SubscriptionState,
  type TopicState,
} from '../state';

const invalid = (message: string) => new ApiError('InvalidParameter', message);
const notFound = (what = 'Topic') => new ApiError('NotFound', `${what} does not exist`, 404);
const PAGE = 100;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/;
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

/** Finds a topic by ARN anywhere in the sandbox (used by Sandbox.confirmSubscription too). */
export function findTopicIn(state: SandboxState, arn: string): TopicState {
  const m = TOPIC_ARN.exec(arn);
  if (!m?.[1] || !m[2] || !m[3]) throw invalid('Invalid parameter: TopicArn');
  const topic = state.accounts.get(m[2])?.regions.get(m[1])?.topics.get(m[3]);
  if (!topic) throw notFound();
  return topic;
}

/**
 * The topic a call names: it must be in the call's region (else InvalidParameter, as AWS answers) and in
 * the caller's account (a cross-account call gets AuthorizationError: the sandbox models no topic-policy
 * grants to other accounts).
 */
function findTopic(ctx: CallContext, arn: string): TopicState {
  const m = TOPIC_ARN.exec(arn);
  if (!m?.[1] || !m[2] || m[1] !== ctx.region) throw invalid('Invalid parameter: TopicArn');
  if (m[2] !== ctx.caller.accountId) {
    throw new ApiError(
      'AuthorizationError',
      `User: ${ctx.caller.arn} is not authorized to perform: ${ctx.action} on resource: ${arn} because no resource-based policy allows the ${ctx.action} action`,
      403,
    );
  }
  return findTopicIn(ctx.state, arn);
}

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
    sub = {
      id: ctx.nextId(),
      protocol,
      endpoint,
      confirmed: confirmsAtOnce(protocol),
      owner: ctx.caller.accountId,
      attributes: input.strMap('Attributes') ?? {},
    };
    topic.subscriptions.push(sub);
  }
  return {
    SubscriptionArn: sub.confirmed || returnArn ? subscriptionArn(topic, sub) : 'pending confirmation',
  };
}

function confirmSubscription(ctx: CallContext, input: Input) {
  const topic = findTopic(ctx, input.reqStr('TopicArn'));
  const token = input.reqStr('Token');
  const sub = topic.subscriptions.find((s) => s.id === token);
  if (!sub) throw invalid('Invalid token');
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
  },
  fail: (member) => invalid(`Invalid parameter: ${member}`),
  resource(_operation, ctx, input) {
    const arn = input.raw.TopicArn;
    if (typeof arn === 'string') return arn;
    const name = input.raw.Name;
    return `arn:aws:sns:${ctx.region}:${ctx.caller.accountId}:${typeof name === 'string' ? name : '*'}`;
  },
};
