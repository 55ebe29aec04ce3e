import {
  ConfirmSubscriptionCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  KMSAccessDeniedException,
  KMSDisabledException,
  KMSNotFoundException,
  ListSubscriptionsByTopicCommand,
  NotFoundException,
  PublishCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { accountIn, allowPolicy, caught, clients, MEMBER, MGMT } from './helpers';

const REGION = 'eu-west-2';
const topic = (name: string, account = MEMBER) => `arn:aws:sns:${REGION}:${account}:${name}`;
const queue = (name: string, account = MEMBER) => `arn:aws:sqs:${REGION}:${account}:${name}`;

/** A queue policy that lets one topic send, as the SNS console writes it. */
function allowTopic(queueArn: string, topicArn: string) {
  return allowPolicy({ Service: 'sns.amazonaws.com' }, 'sqs:SendMessage', queueArn, {
    ArnEquals: { 'aws:SourceArn': topicArn },
  });
}

function scenario(): Scenario {
  return {
    accounts: [
      accountIn(MEMBER, REGION, {
        topics: [
          { name: 'plain' },
          { name: 'managed-key', kms_master_key_id: 'alias/aws/sns' },
          { name: 'locked-key', kms_master_key_id: 'alias/locked' },
          { name: 'disabled-key', kms_master_key_id: 'alias/disabled' },
          { name: 'missing-key', kms_master_key_id: 'alias/nowhere' },
        ],
        queues: [
          { name: 'inbox', policy: allowTopic(queue('inbox'), topic('plain')) },
          { name: 'managed-inbox', policy: allowTopic(queue('managed-inbox'), topic('managed-key')) },
          { name: 'raw-inbox', policy: allowTopic(queue('raw-inbox'), topic('plain')) },
          { name: 'closed' },
        ],
        kms_keys: [
          // Only another account may use it: this account's publishers are refused.
          {
            aliases: ['alias/locked'],
            policy: allowPolicy({ AWS: `arn:aws:iam::${MGMT}:root` }, 'kms:*', '*'),
          },
          { aliases: ['alias/disabled'], enabled: false },
        ],
      }),
      accountIn(MGMT, REGION, {
        queues: [{ name: 'probe', policy: allowTopic(queue('probe', MGMT), topic('plain')) }],
      }),
    ],
  };
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario() });
});
afterAll(() => sb.close());

async function receive(account: string, name: string, wait = 0) {
  const { sqs } = clients(sb, account);
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: `${sb.endpoint}/${account}/${name}`,
      WaitTimeSeconds: wait,
      MaxNumberOfMessages: 10,
    }),
  );
  return out.Messages ?? [];
}

describe('SNS to SQS delivery', () => {
  it('confirms a same-account SQS subscription at once and delivers the SNS envelope', async () => {
    const { sns } = clients(sb, MEMBER);
    const sub = await sns.send(
      new SubscribeCommand({ TopicArn: topic('plain'), Protocol: 'sqs', Endpoint: queue('inbox') }),
    );
    expect(sub.SubscriptionArn).toMatch(new RegExp(`^${topic('plain')}:[0-9a-f-]{36}$`));
    const published = await sns.send(
      new PublishCommand({ TopicArn: topic('plain'), Message: 'the chain is broken', Subject: 'CIS' }),
    );
    const [m] = await receive(MEMBER, 'inbox', 5);
    const envelope = JSON.parse(m?.Body ?? '{}');
    expect(envelope).toMatchObject({
      Type: 'Notification',
      MessageId: published.MessageId,
      TopicArn: topic('plain'),
      Subject: 'CIS',
      Message: 'the chain is broken',
      SignatureVersion: '1',
      Signature: expect.any(String),
      SigningCertURL: expect.stringMatching(/^https:\/\/sns\.eu-west-2\.amazonaws\.com\//),
      UnsubscribeURL: expect.stringContaining(sub.SubscriptionArn ?? '?'),
    });
    expect(Date.parse(envelope.Timestamp)).not.toBeNaN();
  });

  it('delivers the raw message with RawMessageDelivery, and the per-protocol text of a JSON structure', async () => {
    const { sns } = clients(sb, MEMBER);
    await sns.send(
      new SubscribeCommand({
        TopicArn: topic('plain'),
        Protocol: 'sqs',
        Endpoint: queue('raw-inbox'),
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    await sns.send(
      new PublishCommand({
        TopicArn: topic('plain'),
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'for everyone', sqs: 'for queues' }),
      }),
    );
    expect((await receive(MEMBER, 'raw-inbox', 5)).map((m) => m.Body)).toEqual(['for queues']);
    const bad = await caught(() =>
      sns.send(
        new PublishCommand({ TopicArn: topic('plain'), MessageStructure: 'json', Message: '{"sqs":"x"}' }),
      ),
    );
    expect(bad).toBeInstanceOf(InvalidParameterException);
    await receive(MEMBER, 'inbox');
  });

  it('delivers nothing to a queue whose policy does not let the topic send, and says so in the delivery log', async () => {
    const { sns } = clients(sb, MEMBER);
    await sns.send(
      new SubscribeCommand({ TopicArn: topic('plain'), Protocol: 'sqs', Endpoint: queue('closed') }),
    );
    await sns.send(new PublishCommand({ TopicArn: topic('plain'), Message: 'lost' }));
    expect(await receive(MEMBER, 'closed')).toEqual([]);
    expect(sb.deliveries.filter((d) => d.endpoint === queue('closed'))).toEqual([
      expect.objectContaining({ source: topic('plain'), protocol: 'sqs', outcome: 'denied' }),
    ]);
    await receive(MEMBER, 'inbox');
    await receive(MEMBER, 'raw-inbox');
  });

  it('publishes through alias/aws/sns for the account, and refuses missing, disabled or forbidden keys', async () => {
    const { sns } = clients(sb, MEMBER);
    await sns.send(
      new SubscribeCommand({
        TopicArn: topic('managed-key'),
        Protocol: 'sqs',
        Endpoint: queue('managed-inbox'),
      }),
    );
    await sns.send(new PublishCommand({ TopicArn: topic('managed-key'), Message: 'encrypted' }));
    expect(JSON.parse((await receive(MEMBER, 'managed-inbox', 5))[0]?.Body ?? '{}').Message).toBe(
      'encrypted',
    );
    const locked = await caught(() =>
      sns.send(new PublishCommand({ TopicArn: topic('locked-key'), Message: 'x' })),
    );
    expect(locked).toBeInstanceOf(KMSAccessDeniedException);
    expect(locked.message).toContain('kms:GenerateDataKey');
    const disabled = await caught(() =>
      sns.send(new PublishCommand({ TopicArn: topic('disabled-key'), Message: 'x' })),
    );
    expect(disabled).toBeInstanceOf(KMSDisabledException);
    const missing = await caught(() =>
      sns.send(new PublishCommand({ TopicArn: topic('missing-key'), Message: 'x' })),
    );
    expect(missing).toBeInstanceOf(KMSNotFoundException);
  });

  it('keeps a cross-account queue subscription pending until the queue owner confirms the token', async () => {
    const owner = clients(sb, MEMBER).sns;
    const sub = await owner.send(
      new SubscribeCommand({ TopicArn: topic('plain'), Protocol: 'sqs', Endpoint: queue('probe', MGMT) }),
    );
    expect(sub.SubscriptionArn).toBe('pending confirmation');
    const [confirmation] = await receive(MGMT, 'probe', 5);
    const body = JSON.parse(confirmation?.Body ?? '{}');
    expect(body).toMatchObject({
      Type: 'SubscriptionConfirmation',
      TopicArn: topic('plain'),
      Token: expect.any(String),
    });
    expect(body.SubscribeURL).toContain('Action=ConfirmSubscription');
    const confirmed = await clients(sb, MGMT).sns.send(
      new ConfirmSubscriptionCommand({ TopicArn: topic('plain'), Token: body.Token }),
    );
    const listed = await owner.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic('plain') }));
    expect(listed.Subscriptions?.find((s) => s.Endpoint === queue('probe', MGMT))?.SubscriptionArn).toBe(
      confirmed.SubscriptionArn,
    );
    await owner.send(new PublishCommand({ TopicArn: topic('plain'), Message: 'to the probe' }));
    expect(JSON.parse((await receive(MGMT, 'probe', 5))[0]?.Body ?? '{}').Message).toBe('to the probe');
    await owner.send(new UnsubscribeCommand({ SubscriptionArn: confirmed.SubscriptionArn }));
    await owner.send(new PublishCommand({ TopicArn: topic('plain'), Message: 'after unsubscribe' }));
    expect(await receive(MGMT, 'probe')).toEqual([]);
    await receive(MEMBER, 'inbox');
    await receive(MEMBER, 'raw-inbox');
  });

  it('lets another account reach a topic only where the topic policy allows it', async () => {
    const foreign = clients(sb, MGMT).sns;
    const denied = await caught(() =>
      foreign.send(new PublishCommand({ TopicArn: topic('plain'), Message: 'x' })),
    );
    expect(denied.name).toBe('AuthorizationErrorException');
    const attributes = await caught(() =>
      foreign.send(new GetTopicAttributesCommand({ TopicArn: topic('plain') })),
    );
    expect(attributes.name).toBe('AuthorizationErrorException');
  });

  it('deletes a topic with its subscriptions; deleting it again succeeds', async () => {
    const { sns } = clients(sb, MEMBER);
    await sns.send(new DeleteTopicCommand({ TopicArn: topic('disabled-key') }));
    await sns.send(new DeleteTopicCommand({ TopicArn: topic('disabled-key') }));
    const gone = await caught(() =>
      sns.send(new GetTopicAttributesCommand({ TopicArn: topic('disabled-key') })),
    );
    expect(gone).toBeInstanceOf(NotFoundException);
  });
});
