import {
  DeleteTrailCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DeleteLogGroupCommand,
  DeleteMetricFilterCommand,
  PutMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteTopicCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import {
  accountIn,
  alarmInput,
  allowPolicy,
  CIS_PATTERN,
  caught,
  chainRegion,
  clients,
  MEMBER,
  MGMT,
  RESTRICTED,
} from './helpers';

const REGION = 'eu-west-2';
const CENTRAL = `arn:aws:sqs:${REGION}:${MGMT}:cis-events`;
const SNS_ONLY = `arn:aws:sqs:${REGION}:${MGMT}:sns-events`;
const GUARDED = `arn:aws:sqs:${REGION}:${MGMT}:guarded-events`;
const topicArn = `arn:aws:sns:${REGION}:${MEMBER}:cis-alarms`;

function scenario(): Scenario {
  return {
    accounts: [
      accountIn(MGMT, REGION, {
        queues: [
          { name: 'cis-events' },
          { name: 'sns-events' },
          {
            name: 'guarded-events',
            policy: allowPolicy({ Service: 'events.amazonaws.com' }, 'sqs:SendMessage', GUARDED, {
              ArnEquals: { 'aws:SourceArn': `arn:aws:events:${REGION}:${MGMT}:rule/allowed-rule` },
            }),
          },
        ],
      }),
      { id: MEMBER, roles: [{ name: 'Operator' }], regions: { [REGION]: chainRegion(MEMBER, REGION) } },
      { id: RESTRICTED, regions: { [REGION]: chainRegion(RESTRICTED, REGION) } },
    ],
    events: [
      { queue: CENTRAL },
      { queue: SNS_ONLY, accounts: [MEMBER], sources: ['aws.sns'] },
      { queue: GUARDED, names: ['DeleteAlarms'], rule: 'allowed-rule' },
      { queue: GUARDED, names: ['StopLogging'], rule: 'other-rule' },
    ],
  };
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario() });
});
afterAll(() => sb.close());

type ChainEvent = Record<string, unknown> & { detail: Record<string, unknown> };

/** Drains a queue (as its owner), returning the events in order of arrival. */
async function drain(queueArn: string): Promise<ChainEvent[]> {
  const { sqs } = clients(sb, MGMT);
  const url = `${sb.endpoint}/${MGMT}/${queueArn.split(':')[5]}`;
  const out: ChainEvent[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    if (!Messages) return out;
    for (const m of Messages) {
      out.push(JSON.parse(m.Body ?? '{}') as ChainEvent);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

beforeEach(async () => {
  for (const q of [CENTRAL, SNS_ONLY, GUARDED]) await drain(q);
});

describe('chain-change events', () => {
  it('delivers a CloudTrail-shaped EventBridge event to the central queue, long-polled', async () => {
    const member = clients(sb, MEMBER);
    const { sqs } = clients(sb, MGMT);
    const polling = sqs.send(
      new ReceiveMessageCommand({ QueueUrl: `${sb.endpoint}/${MGMT}/cis-events`, WaitTimeSeconds: 20 }),
    );
    const out = await member.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['cis-4-1'] }));
    const body = (await polling).Messages?.[0]?.Body ?? '{}';
    const event = JSON.parse(body) as ChainEvent;
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.cloudwatch',
      account: MEMBER,
      region: REGION,
      resources: [],
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(event.detail).toMatchObject({
      eventVersion: expect.any(String),
      eventSource: 'monitoring.amazonaws.com',
      eventName: 'DeleteAlarms',
      awsRegion: REGION,
      sourceIPAddress: '127.0.0.1',
      userAgent: expect.stringContaining('aws-sdk-js'),
      requestParameters: { alarmNames: ['cis-4-1'] },
      responseElements: null,
      requestID: out.$metadata.requestId,
      eventID: expect.any(String),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: MEMBER,
      userIdentity: {
        type: 'IAMUser',
        arn: `arn:aws:iam::${MEMBER}:user/cis-bot-sandbox`,
        accountId: MEMBER,
        principalId: expect.stringMatching(/^AIDA/),
        accessKeyId: sb.credentialsFor(MEMBER).accessKeyId,
      },
    });
    expect(event.detail.eventID).toBe(event.id);
  });

  it('names an assumed role in userIdentity, with its session issuer', async () => {
    const sts = clients(sb, RESTRICTED).sts;
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/Operator`, RoleSessionName: 'mallory' }),
    );
    const c = assumed.Credentials;
    const { cloudtrail } = clients(sb, MEMBER, {
      credentials: {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken ?? '',
      },
    });
    await cloudtrail.send(new StopLoggingCommand({ Name: 'main' }));
    const [event] = await drain(CENTRAL);
    expect(event?.detail).toMatchObject({
      eventName: 'StopLogging',
      eventSource: 'cloudtrail.amazonaws.com',
      requestParameters: { name: 'main' },
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${MEMBER}:assumed-role/Operator/mallory`,
        accountId: MEMBER,
        principalId: expect.stringMatching(/^AROA.+:mallory$/),
        sessionContext: {
          sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${MEMBER}:role/Operator`, userName: 'Operator' },
        },
      },
    });
    await clients(sb, MEMBER).cloudtrail.send(new StartLoggingCommand({ Name: 'main' }));
  });

  it('emits for every chain-changing call, and only for calls that changed state', async () => {
    const { cloudtrail, cloudwatch, logs, sns } = clients(sb, RESTRICTED);
    const alarmArn = `arn:aws:sns:${REGION}:${RESTRICTED}:cis-alarms`;
    await cloudwatch.send(
      new PutMetricAlarmCommand(alarmInput('cis-4-1', { MetricName: 'm41', AlarmActions: [alarmArn] })),
    );
    await cloudwatch.send(new DisableAlarmActionsCommand({ AlarmNames: ['cis-4-1'] }));
    await cloudwatch.send(new DisableAlarmActionsCommand({ AlarmNames: ['cis-4-1'] })); // no change
    await cloudwatch.send(new EnableAlarmActionsCommand({ AlarmNames: ['cis-4-1'] }));
    await cloudwatch.send(new DescribeAlarmsCommand({})); // read-only
    await caught(() => cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['missing'] }))); // failed
    await cloudtrail.send(new StopLoggingCommand({ Name: 'main' }));
    await cloudtrail.send(new StopLoggingCommand({ Name: 'main' })); // already stopped
    await cloudtrail.send(new StartLoggingCommand({ Name: 'main' }));
    await cloudtrail.send(new UpdateTrailCommand({ Name: 'main', IsMultiRegionTrail: false }));
    await cloudtrail.send(
      new PutEventSelectorsCommand({
        TrailName: 'main',
        EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }],
      }),
    );
    await cloudtrail.send(
      new PutInsightSelectorsCommand({
        TrailName: 'main',
        InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }],
      }),
    );
    await logs.send(new DeleteMetricFilterCommand({ logGroupName: 'ct-logs', filterName: 'cis-4-1' }));
    await logs.send(
      new PutMetricFilterCommand({
        logGroupName: 'ct-logs',
        filterName: 'cis-4-1',
        filterPattern: CIS_PATTERN,
        metricTransformations: [{ metricName: 'm41', metricNamespace: 'CISBenchmark', metricValue: '1' }],
      }),
    );
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: alarmArn,
        AttributeName: 'DisplayName',
        AttributeValue: 'x',
      }),
    );
    const sub = await sns.send(
      new SubscribeCommand({
        TopicArn: alarmArn,
        Protocol: 'email',
        Endpoint: 'b@example.com',
        ReturnSubscriptionArn: true,
      }),
    );
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }));
    await sns.send(new DeleteTopicCommand({ TopicArn: alarmArn }));
    await sns.send(new DeleteTopicCommand({ TopicArn: alarmArn })); // already gone
    await logs.send(new DeleteLogGroupCommand({ logGroupName: 'ct-logs' }));
    await cloudtrail.send(new DeleteTrailCommand({ Name: 'main' }));
    const events = await drain(CENTRAL);
    expect(events.map((e) => `${e.source}:${e.detail.eventName}`)).toEqual([
      'aws.cloudwatch:PutMetricAlarm',
      'aws.cloudwatch:DisableAlarmActions',
      'aws.cloudwatch:EnableAlarmActions',
      'aws.cloudtrail:StopLogging',
      'aws.cloudtrail:StartLogging',
      'aws.cloudtrail:UpdateTrail',
      'aws.cloudtrail:PutEventSelectors',
      'aws.cloudtrail:PutInsightSelectors',
      'aws.logs:DeleteMetricFilter',
      'aws.logs:PutMetricFilter',
      'aws.sns:SetTopicAttributes',
      'aws.sns:Subscribe',
      'aws.sns:Unsubscribe',
      'aws.sns:DeleteTopic',
      'aws.logs:DeleteLogGroup',
      'aws.cloudtrail:DeleteTrail',
    ]);
    expect(events.every((e) => e.account === RESTRICTED)).toBe(true);
    expect(events[12]?.detail.requestParameters).toEqual({ subscriptionArn: sub.SubscriptionArn });
    expect(events[11]?.detail.responseElements).toEqual({ subscriptionArn: sub.SubscriptionArn });
    // This account matches no route of sns-events (that one forwards MEMBER's SNS calls only).
    expect(await drain(SNS_ONLY)).toEqual([]);
  });

  it('routes by account and source, and honours a queue policy that names the rule', async () => {
    const member = clients(sb, MEMBER);
    await member.sns.send(
      new SetTopicAttributesCommand({
        TopicArn: topicArn,
        AttributeName: 'DisplayName',
        AttributeValue: 'CIS',
      }),
    );
    await member.cloudtrail.send(new StopLoggingCommand({ Name: 'main' }));
    await member.cloudwatch.send(new PutMetricAlarmCommand(alarmInput('again')));
    await member.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['again'] }));
    expect((await drain(SNS_ONLY)).map((e) => e.detail.eventName)).toEqual(['SetTopicAttributes']);
    // Only the DeleteAlarms route's rule is allowed by the guarded queue's policy; StopLogging's is not.
    expect((await drain(GUARDED)).map((e) => e.detail.eventName)).toEqual(['DeleteAlarms']);
    expect(sb.deliveries.filter((d) => d.endpoint === GUARDED).map((d) => d.outcome)).toEqual(
      expect.arrayContaining(['denied', 'delivered']),
    );
    expect((await drain(CENTRAL)).map((e) => e.detail.eventName)).toEqual([
      'SetTopicAttributes',
      'StopLogging',
      'PutMetricAlarm',
      'DeleteAlarms',
    ]);
    await member.cloudtrail.send(new StartLoggingCommand({ Name: 'main' }));
  });
});
