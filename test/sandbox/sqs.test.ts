import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidAttributeValue,
  ListQueuesCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDeletedRecently,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { accountIn, allowPolicy, caught, clients, eventually, MEMBER, RESTRICTED } from './helpers';

const REGION = 'eu-west-2';
const arn = (account: string, name: string) => `arn:aws:sqs:${REGION}:${account}:${name}`;

function scenario(): Scenario {
  const shared = allowPolicy(
    { AWS: `arn:aws:iam::${RESTRICTED}:root` },
    ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
    arn(MEMBER, 'shared'),
  );
  return {
    accounts: [
      accountIn(MEMBER, REGION, {
        queues: [
          { name: 'work', redrive: { dead_letter_queue: 'work-dlq', max_receive_count: 2 } },
          { name: 'work-dlq' },
          { name: 'shared', policy: shared },
        ],
      }),
      { id: RESTRICTED, denied_actions: ['sqs:PurgeQueue'] },
    ],
  };
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario(), seed: 3 });
});
afterAll(() => sb.close());

async function newQueue(name: string, attributes?: Record<string, string>) {
  const { sqs } = clients(sb, MEMBER);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl as string;
}

describe('SQS queues', () => {
  it('creates queues whose URLs route back to the sandbox, idempotently, and refuses clashes', async () => {
    const { sqs } = clients(sb, MEMBER);
    const url = await newQueue('alpha', { VisibilityTimeout: '45' });
    expect(url).toBe(`${sb.endpoint}/${MEMBER}/alpha`);
    expect(await newQueue('alpha', { VisibilityTimeout: '45' })).toBe(url);
    const clash = await caught(() =>
      sqs.send(new CreateQueueCommand({ QueueName: 'alpha', Attributes: { VisibilityTimeout: '50' } })),
    );
    expect(clash).toBeInstanceOf(QueueNameExists);
    const badName = await caught(() => sqs.send(new CreateQueueCommand({ QueueName: 'no spaces' })));
    expect(badName.name).toBe('InvalidParameterValue');
    const badValue = await caught(() =>
      sqs.send(new CreateQueueCommand({ QueueName: 'beta', Attributes: { VisibilityTimeout: '99999' } })),
    );
    expect(badValue).toBeInstanceOf(InvalidAttributeValue);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'alpha' }))).QueueUrl).toBe(url);
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'work' }));
    expect(listed.QueueUrls).toEqual([`${sb.endpoint}/${MEMBER}/work`, `${sb.endpoint}/${MEMBER}/work-dlq`]);
  });

  it('answers GetQueueAttributes with the ARN, counts, policy and redrive policy', async () => {
    const { sqs } = clients(sb, MEMBER);
    const url = `${sb.endpoint}/${MEMBER}/work`;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({
      QueueArn: arn(MEMBER, 'work'),
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
      VisibilityTimeout: '30',
    });
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: arn(MEMBER, 'work-dlq'),
      maxReceiveCount: 2,
    });
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    const shared = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: `${sb.endpoint}/${MEMBER}/shared`,
        AttributeNames: ['Policy'],
      }),
    );
    expect(JSON.parse(shared.Attributes?.Policy ?? '{}').Statement[0].Effect).toBe('Allow');
    const unknown = await caught(() =>
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Colour' as 'All'] })),
    );
    expect(unknown).toBeInstanceOf(InvalidAttributeName);
  });

  it('deletes queues: later calls get QueueDoesNotExist, a new queue of that name waits 60 s', async () => {
    const { sqs } = clients(sb, MEMBER);
    const url = await newQueue('short-lived');
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const gone = await caught(() => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })));
    expect(gone).toBeInstanceOf(QueueDoesNotExist);
    expect(gone.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    const again = await caught(() => sqs.send(new CreateQueueCommand({ QueueName: 'short-lived' })));
    expect(again).toBeInstanceOf(QueueDeletedRecently);
  });

  it('refuses a second PurgeQueue within 60 s, and purges', async () => {
    const { sqs } = clients(sb, MEMBER);
    const url = await newQueue('purged');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    expect(await caught(() => sqs.send(new PurgeQueueCommand({ QueueUrl: url })))).toBeInstanceOf(
      PurgeQueueInProgress,
    );
  });
});

describe('SQS messages', () => {
  it('hides a received message for its visibility timeout and counts every receive', async () => {
    const { sqs } = clients(sb, MEMBER);
    const url = await newQueue('visibility');
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello' }));
    const first = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageSystemAttributeNames: ['All'],
        VisibilityTimeout: 30,
      }),
    );
    const m1 = first.Messages?.[0];
    expect(m1).toMatchObject({ MessageId: sent.MessageId, Body: 'hello' });
    expect(m1?.Attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      SenderId: expect.stringMatching(/^AIDA/),
    });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: m1?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const second = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateReceiveCount' as 'All'] /* the deprecated member */,
      }),
    );
    const m2 = second.Messages?.[0];
    expect(m2?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    // The first handle is stale: deleting with it succeeds and deletes nothing, as AWS documents.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m1?.ReceiptHandle }));
    const counts = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(counts.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m2?.ReceiptHandle }));
    const stale = await caught(() =>
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: m2?.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    );
    expect(stale.name).toBe('InvalidParameterValue');
    const invalid = await caught(() =>
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'nope' })),
    );
    expect(invalid).toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  it('brings a message back when its short visibility timeout ends, through a long poll', async () => {
    const { sqs } = clients(sb, MEMBER);
    const url = await newQueue('reappear');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 }));
    expect(first.Messages).toHaveLength(1);
    const back = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 20,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(back.Messages?.[0]).toMatchObject({ Body: 'again', Attributes: { ApproximateReceiveCount: '2' } });
    const notInFlight = await caught(async () => {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: back.Messages?.[0]?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: back.Messages?.[0]?.ReceiptHandle,
          VisibilityTimeout: 10,
        }),
      );
    });
    expect(notInFlight).toBeInstanceOf(MessageNotInflight);
  });

  it('long-polls until a message arrives without blocking other requests', async () => {
    const { sqs } = clients(sb, MEMBER);
    const url = await newQueue('long-poll');
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    // Other calls are answered while the poll waits.
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    expect(attrs.Attributes?.QueueArn).toBe(arn(MEMBER, 'long-poll'));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
    expect((await polling).Messages?.[0]?.Body).toBe('wake up');
  });

  it('does not hand a message to a long poll its client abandoned', async () => {
    const { sqs } = clients(sb, MEMBER);
    const url = await newQueue('abandoned');
    const abort = new AbortController();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }), {
      abortSignal: abort.signal,
    });
    const poll = await eventually(() => sb.calls.filter((c) => c.operation === 'ReceiveMessage').at(-1));
    abort.abort();
    await caught(() => polling);
    // The sandbox ends the abandoned poll (the client closed its socket) before the message is sent.
    await eventually(() => poll.endedAt > 0);
    expect(poll.status).toBe(200);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'for the next reader' }));
    const next = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    expect(next.Messages?.[0]?.Body).toBe('for the next reader');
  });

  it('returns up to MaxNumberOfMessages and refuses more than 10', async () => {
    const { sqs } = clients(sb, MEMBER);
    const url = await newQueue('many');
    for (let batch = 0; batch < 2; batch++) {
      const out = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 8 }, (_, i) => ({
            Id: `m${batch}-${i}`,
            MessageBody: `body ${batch}.${i}`,
          })),
        }),
      );
      expect(out.Successful).toHaveLength(8);
    }
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(got.Messages).toHaveLength(10);
    const tooMany = await caught(() =>
      sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
    );
    expect(tooMany.name).toBe('InvalidParameterValue');
    const handles = (got.Messages ?? [])
      .slice(0, 9)
      .map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }));
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [...handles, { Id: 'bad', ReceiptHandle: 'garbage' }],
      }),
    );
    expect(deleted.Successful).toHaveLength(9);
    expect(deleted.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const { sqs } = clients(sb, MEMBER);
    const url = `${sb.endpoint}/${MEMBER}/work`;
    const dlq = `${sb.endpoint}/${MEMBER}/work-dlq`;
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
      expect(got.Messages?.[0]?.MessageId).toBe(MessageId);
    }
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(dead.Messages?.[0]).toMatchObject({ MessageId, Body: 'poison' });
  });
});

describe('SQS access, errors and routing', () => {
  it('routes a sandbox queue URL back to the sandbox from a client with no endpoint (useQueueUrlAsEndpoint)', async () => {
    const url = await newQueue('by-url');
    const bare = new SQSClient({
      region: REGION,
      credentials: sb.credentialsFor(MEMBER),
      maxAttempts: 1,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    await bare.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'via queue url' }));
    const got = await bare.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(got.Messages?.[0]?.Body).toBe('via queue url');
    bare.destroy();
  });

  it('accepts AWS-style queue URLs, and lets another account in only through the queue policy', async () => {
    const other = clients(sb, RESTRICTED).sqs;
    const awsUrl = (name: string) => `https://sqs.${REGION}.amazonaws.com/${MEMBER}/${name}`;
    await other.send(new SendMessageCommand({ QueueUrl: awsUrl('shared'), MessageBody: 'from afar' }));
    const denied = await caught(() => other.send(new ReceiveMessageCommand({ QueueUrl: awsUrl('shared') })));
    expect(denied.name).toBe('AccessDenied');
    expect((denied.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403);
    const noPolicy = await caught(() =>
      other.send(new SendMessageCommand({ QueueUrl: awsUrl('work-dlq'), MessageBody: 'x' })),
    );
    expect(noPolicy.name).toBe('AccessDenied');
  });

  it('answers IAM denials as AccessDenied and retries throttling (RequestThrottled)', async () => {
    const restricted = clients(sb, RESTRICTED).sqs;
    const { QueueUrl } = await restricted.send(new CreateQueueCommand({ QueueName: 'mine' }));
    const denied = await caught(() => restricted.send(new PurgeQueueCommand({ QueueUrl })));
    expect(denied.name).toBe('AccessDenied');
    sb.failNext('sqs:SendMessage', 'RequestThrottled', 2);
    const retrying = new SQSClient({
      endpoint: sb.endpoint,
      region: REGION,
      credentials: sb.credentialsFor(RESTRICTED),
      retryStrategy: new ConfiguredRetryStrategy(3, 5),
    });
    const sent = await retrying.send(new SendMessageCommand({ QueueUrl, MessageBody: 'eventually' }));
    expect(sent.$metadata.attempts).toBe(3);
    sb.failNext('sqs:SendMessage', 'RequestThrottled', 1);
    const once = await caught(() => restricted.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
    expect(once.name).toBe('RequestThrottled');
  });

  it('validates SetQueueAttributes: a redrive policy needs an existing dead-letter queue', async () => {
    const { sqs } = clients(sb, MEMBER);
    const url = await newQueue('redrive-me');
    const bad = await caught(() =>
      sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: {
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(MEMBER, 'ghost'), maxReceiveCount: 3 }),
          },
        }),
      ),
    );
    expect(bad.name).toBe('InvalidParameterValue');
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: {
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(MEMBER, 'work-dlq'), maxReceiveCount: 3 }),
          ReceiveMessageWaitTimeSeconds: '2',
        },
      }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    expect(Attributes?.ReceiveMessageWaitTimeSeconds).toBe('2');
    expect(Attributes?.RedrivePolicy).toContain('work-dlq');
  });
});

describe('SQS and the stopping sandbox', () => {
  it('ends a long poll in progress when the sandbox stops', async () => {
    const own = await startSandbox({ scenario: scenario() });
    const { sqs } = clients(own, MEMBER);
    const polling = sqs
      .send(new ReceiveMessageCommand({ QueueUrl: `${own.endpoint}/${MEMBER}/work`, WaitTimeSeconds: 20 }))
      .then(
        () => 'answered',
        () => 'failed',
      );
    await eventually(() => own.calls.length > 0);
    await own.close();
    // Bounded well below the 20 s wait: a poll that ignored the stop would still be waiting here.
    let bound: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      polling,
      new Promise((r) => {
        bound = setTimeout(() => r('still waiting'), 15_000);
      }),
    ]);
    // The bound is cleared so jest exits by itself right after the suite.
    clearTimeout(bound);
    sqs.destroy();
    expect(['answered', 'failed']).toContain(outcome);
  });
});
