import {
  AuthorizationErrorException,
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  NotFoundException,
  paginateListSubscriptionsByTopic,
  SetTopicAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { baseScenario, caught, clients, MEMBER, RESTRICTED } from './helpers';

let sb: Sandbox;
const MANY = 230;

function scenario(): Scenario {
  const s = baseScenario();
  s.accounts[1]?.regions?.['eu-west-2']?.topics?.push({
    name: 'crowded',
    subscriptions: Array.from({ length: MANY }, (_, i) => ({
      protocol: i % 3 === 0 ? ('sqs' as const) : ('email' as const),
      endpoint: i % 3 === 0 ? `arn:aws:sqs:eu-west-2:${MEMBER}:q${i}` : `user${i}@example.com`,
    })),
  });
  return s;
}

beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario(), seed: 7 });
});
afterAll(() => sb.close());

const cisTopic = `arn:aws:sns:eu-west-2:${MEMBER}:cis-alarms`;

describe('SNS topics', () => {
  it('CreateTopic is idempotent by name and refuses different attributes', async () => {
    const { sns } = clients(sb, MEMBER);
    const a = await sns.send(
      new CreateTopicCommand({ Name: 'new-topic', Attributes: { DisplayName: 'CIS' } }),
    );
    const b = await sns.send(new CreateTopicCommand({ Name: 'new-topic' }));
    expect(a.TopicArn).toBe(`arn:aws:sns:eu-west-2:${MEMBER}:new-topic`);
    expect(b.TopicArn).toBe(a.TopicArn);
    const c = await sns.send(
      new CreateTopicCommand({ Name: 'new-topic', Attributes: { DisplayName: 'CIS' } }),
    );
    expect(c.TopicArn).toBe(a.TopicArn);
    const clash = await caught(() =>
      sns.send(new CreateTopicCommand({ Name: 'new-topic', Attributes: { DisplayName: 'X' } })),
    );
    expect(clash).toBeInstanceOf(InvalidParameterException);
    const badName = await caught(() => sns.send(new CreateTopicCommand({ Name: 'has space' })));
    expect(badName).toBeInstanceOf(InvalidParameterException);
  });

  it('GetTopicAttributes returns the default policy, owner and subscription counts', async () => {
    const { sns } = clients(sb, MEMBER);
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: cisTopic }));
    expect(Attributes).toMatchObject({
      TopicArn: cisTopic,
      Owner: MEMBER,
      SubscriptionsConfirmed: '1',
      SubscriptionsPending: '0',
      DisplayName: '',
    });
    const policy = JSON.parse(Attributes?.Policy ?? '{}');
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Resource: cisTopic,
      Condition: { StringEquals: { 'AWS:SourceOwner': MEMBER } },
    });
    expect(Attributes?.EffectiveDeliveryPolicy).toEqual(expect.any(String));
  });

  it('SetTopicAttributes changes the policy and rejects a malformed one', async () => {
    const { sns } = clients(sb, MEMBER);
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: cisTopic,
        },
      ],
    });
    await sns.send(
      new SetTopicAttributesCommand({ TopicArn: cisTopic, AttributeName: 'Policy', AttributeValue: policy }),
    );
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: cisTopic }));
    expect(Attributes?.Policy).toBe(policy);
    const bad = await caught(() =>
      sns.send(
        new SetTopicAttributesCommand({
          TopicArn: cisTopic,
          AttributeName: 'Policy',
          AttributeValue: '{not json',
        }),
      ),
    );
    expect(bad).toBeInstanceOf(InvalidParameterException);
    const unknownName = await caught(() =>
      sns.send(
        new SetTopicAttributesCommand({ TopicArn: cisTopic, AttributeName: 'Owner', AttributeValue: 'x' }),
      ),
    );
    expect(unknownName).toBeInstanceOf(InvalidParameterException);
  });

  it('answers NotFoundException for a missing topic and InvalidParameterException for another region', async () => {
    const { sns } = clients(sb, MEMBER);
    const missing = await caught(() =>
      sns.send(new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:eu-west-2:${MEMBER}:ghost` })),
    );
    expect(missing).toBeInstanceOf(NotFoundException);
    expect((missing.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(404);
    const elsewhere = await caught(() =>
      sns.send(new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:us-east-1:${MEMBER}:cis-alarms` })),
    );
    expect(elsewhere).toBeInstanceOf(InvalidParameterException);
  });
});

describe('SNS subscriptions', () => {
  it('keeps email pending until confirmed with the token, and confirms sqs at once', async () => {
    const { sns } = clients(sb, MEMBER);
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'sub-topic' }))).TopicArn as string;
    const pending = await sns.send(
      new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: 'a@example.com' }),
    );
    expect(pending.SubscriptionArn).toBe('pending confirmation');
    const withArn = await sns.send(
      new SubscribeCommand({
        TopicArn: topic,
        Protocol: 'https',
        Endpoint: 'https://hook.example.com/x',
        ReturnSubscriptionArn: true,
      }),
    );
    expect(withArn.SubscriptionArn).toMatch(new RegExp(`^${topic}:[0-9a-f-]{36}$`));
    const queue = await sns.send(
      new SubscribeCommand({
        TopicArn: topic,
        Protocol: 'sqs',
        Endpoint: `arn:aws:sqs:eu-west-2:${MEMBER}:q`,
      }),
    );
    expect(queue.SubscriptionArn).toMatch(new RegExp(`^${topic}:`));

    const list = async () =>
      new Map(
        ((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions ?? []).map(
          (s) => [s.Endpoint, s],
        ),
      );
    let subs = await list();
    expect(subs.get('a@example.com')).toEqual({
      SubscriptionArn: 'PendingConfirmation',
      Owner: MEMBER,
      Protocol: 'email',
      Endpoint: 'a@example.com',
      TopicArn: topic,
    });
    expect(subs.get('https://hook.example.com/x')?.SubscriptionArn).toBe('PendingConfirmation');
    expect(subs.get(`arn:aws:sqs:eu-west-2:${MEMBER}:q`)?.SubscriptionArn).toBe(queue.SubscriptionArn);

    const token = sb.state.region(MEMBER, 'eu-west-2').topics.get('sub-topic')?.subscriptions[0]
      ?.id as string;
    const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: token }));
    expect(confirmed.SubscriptionArn).toBe(`${topic}:${token}`);
    sb.confirmSubscription(topic, 'https://hook.example.com/x');
    subs = await list();
    expect(subs.get('a@example.com')?.SubscriptionArn).toBe(`${topic}:${token}`);
    expect(subs.get('https://hook.example.com/x')?.SubscriptionArn).toBe(withArn.SubscriptionArn);
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }));
    expect([Attributes?.SubscriptionsConfirmed, Attributes?.SubscriptionsPending]).toEqual(['3', '0']);

    const badToken = await caught(() =>
      sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: 'nope' })),
    );
    expect(badToken).toBeInstanceOf(InvalidParameterException);
    const badEmail = await caught(() =>
      sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: 'not-an-email' })),
    );
    expect(badEmail).toBeInstanceOf(InvalidParameterException);
  });

  it(`pages ${MANY} subscriptions at 100 through the SDK paginator, the last page without a token`, async () => {
    const { sns } = clients(sb, MEMBER);
    const topic = `arn:aws:sns:eu-west-2:${MEMBER}:crowded`;
    const sizes: number[] = [];
    const endpoints = new Set<string>();
    let pending = 0;
    for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: topic })) {
      sizes.push(page.Subscriptions?.length ?? 0);
      for (const s of page.Subscriptions ?? []) {
        endpoints.add(s.Endpoint ?? '');
        if (s.SubscriptionArn === 'PendingConfirmation') pending++;
      }
    }
    expect(sizes).toEqual([100, 100, 30]);
    expect(endpoints.size).toBe(MANY);
    expect(pending).toBe(Array.from({ length: MANY }, (_, i) => i).filter((i) => i % 3 !== 0).length);
    const last = sb.calls.filter((c) => c.operation === 'ListSubscriptionsByTopic').length;
    expect(last).toBeGreaterThanOrEqual(3);
  });

  it('answers AuthorizationErrorException (403) where sns:ListSubscriptionsByTopic is denied', async () => {
    const { sns } = clients(sb, RESTRICTED);
    const topic = `arn:aws:sns:eu-west-2:${RESTRICTED}:restricted-topic`;
    const error = await caught(() => sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic })));
    expect(error).toBeInstanceOf(AuthorizationErrorException);
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403);
    expect(error.message).toBe(
      `User: arn:aws:iam::${RESTRICTED}:user/cis-bot-sandbox is not authorized to perform: SNS:ListSubscriptionsByTopic on resource: ${topic} because no identity-based policy allows the SNS:ListSubscriptionsByTopic action`,
    );
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes?.Owner).toBe(
      RESTRICTED,
    );
    const crossAccount = await caught(() => sns.send(new GetTopicAttributesCommand({ TopicArn: cisTopic })));
    expect(crossAccount).toBeInstanceOf(AuthorizationErrorException);
  });
});
