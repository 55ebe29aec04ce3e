import {
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  InvalidFormatFault,
  PutMetricAlarmCommand,
  paginateDescribeAlarmHistory,
  ResourceNotFound,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { accountIn, alarmInput, allowPolicy, caught, clients, MEMBER } from './helpers';

const REGION = 'eu-west-2';
const topic = (name: string) => `arn:aws:sns:${REGION}:${MEMBER}:${name}`;
const probe = `arn:aws:sqs:${REGION}:${MEMBER}:probe`;

/** The statement CloudWatch needs in a customer key's policy to publish to an encrypted topic. */
const CLOUDWATCH_KEY_STATEMENT = {
  Sid: 'Allow_CloudWatch_for_CMK',
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  Resource: '*',
};

function alarm(name: string, topicName: string) {
  return {
    name,
    metric_name: `${name}_metric`,
    namespace: 'CISBenchmark',
    alarm_actions: [topic(topicName)],
  };
}

function scenario(): Scenario {
  const sub = [{ protocol: 'sqs' as const, endpoint: probe }];
  const keyPolicy = allowPolicy({ AWS: `arn:aws:iam::${MEMBER}:root` }, 'kms:*', '*');
  keyPolicy.Statement.push(CLOUDWATCH_KEY_STATEMENT);
  return {
    accounts: [
      accountIn(MEMBER, REGION, {
        topics: [
          { name: 'default-policy', subscriptions: sub },
          {
            name: 'owner-only',
            subscriptions: sub,
            policy: allowPolicy({ AWS: `arn:aws:iam::${MEMBER}:root` }, 'SNS:Publish', topic('owner-only')),
          },
          { name: 'aws-managed-key', kms_master_key_id: 'alias/aws/sns', subscriptions: sub },
          { name: 'customer-key', kms_master_key_id: 'alias/cis', subscriptions: sub },
        ],
        kms_keys: [{ aliases: ['alias/cis'], policy: keyPolicy }],
        queues: [
          {
            name: 'probe',
            policy: allowPolicy({ Service: 'sns.amazonaws.com' }, 'sqs:SendMessage', probe, {
              ArnLike: { 'aws:SourceArn': `arn:aws:sns:${REGION}:${MEMBER}:*` },
            }),
          },
        ],
        alarms: [
          alarm('delivered', 'default-policy'),
          alarm('blocked-by-policy', 'owner-only'),
          alarm('blocked-by-key', 'aws-managed-key'),
          alarm('customer-key', 'customer-key'),
          alarm('muted', 'default-policy'),
        ],
      }),
    ],
  };
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario() });
});
afterAll(() => sb.close());

const cw = () => clients(sb, MEMBER).cloudwatch;

async function probeMessages() {
  const { Messages } = await clients(sb, MEMBER).sqs.send(
    new ReceiveMessageCommand({ QueueUrl: `${sb.endpoint}/${MEMBER}/probe`, MaxNumberOfMessages: 10 }),
  );
  return (Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as Record<string, string>);
}

async function history(name: string, type?: 'Action' | 'StateUpdate' | 'ConfigurationUpdate') {
  const out = await cw().send(new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: type }));
  return out.AlarmHistoryItems ?? [];
}

async function fire(name: string) {
  await cw().send(
    new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: 'fire drill by alice' }),
  );
}

describe('CloudWatch SetAlarmState and its actions', () => {
  it('records the transition, runs the SNS action and delivers the alarm notification', async () => {
    await fire('delivered');
    const [state] = await history('delivered', 'StateUpdate');
    expect(state).toMatchObject({
      AlarmName: 'delivered',
      AlarmType: 'MetricAlarm',
      HistoryItemType: 'StateUpdate',
      HistorySummary: 'Alarm updated from OK to ALARM',
      Timestamp: expect.any(Date),
    });
    expect(JSON.parse(state?.HistoryData ?? '{}')).toMatchObject({
      oldState: { stateValue: 'OK' },
      newState: { stateValue: 'ALARM', stateReason: 'fire drill by alice' },
    });
    const [action] = await history('delivered', 'Action');
    expect(action?.HistorySummary).toBe(`Successfully executed action ${topic('default-policy')}`);
    expect(JSON.parse(action?.HistoryData ?? '{}')).toMatchObject({
      actionState: 'Succeeded',
      notificationResource: topic('default-policy'),
    });
    const [envelope] = await probeMessages();
    expect(envelope?.Subject).toBe('ALARM: "delivered" in EU (London)');
    expect(JSON.parse(envelope?.Message ?? '{}')).toMatchObject({
      AlarmName: 'delivered',
      AWSAccountId: MEMBER,
      NewStateValue: 'ALARM',
      NewStateReason: 'fire drill by alice',
      OldStateValue: 'OK',
      Region: 'EU (London)',
      AlarmArn: `arn:aws:cloudwatch:${REGION}:${MEMBER}:alarm:delivered`,
      Trigger: { MetricName: 'delivered_metric', Namespace: 'CISBenchmark', Statistic: 'SUM' },
    });
    const described = await cw().send(new DescribeAlarmsCommand({ AlarmNames: ['delivered'] }));
    expect(described.MetricAlarms?.[0]).toMatchObject({
      StateValue: 'ALARM',
      StateReason: 'fire drill by alice',
    });
  });

  it('runs nothing when the state does not change', async () => {
    await fire('delivered');
    expect(await history('delivered', 'Action')).toHaveLength(1);
    expect(await probeMessages()).toEqual([]);
  });

  it('fails the action, with the text AWS writes, when the topic policy does not let CloudWatch publish', async () => {
    await fire('blocked-by-policy');
    const [action] = await history('blocked-by-policy', 'Action');
    expect(action?.HistorySummary).toBe(
      `Failed to execute action ${topic('owner-only')}. Received error: "Resource: arn:aws:cloudwatch:${REGION}:${MEMBER}:alarm:blocked-by-policy is not authorized to perform: SNS:Publish on resource: ${topic('owner-only')}"`,
    );
    expect(JSON.parse(action?.HistoryData ?? '{}').actionState).toBe('Failed');
    expect(await probeMessages()).toEqual([]);
  });

  it('fails the action when the topic is encrypted with alias/aws/sns, and succeeds with a key that allows CloudWatch', async () => {
    await fire('blocked-by-key');
    const [failed] = await history('blocked-by-key', 'Action');
    expect(failed?.HistorySummary).toContain(
      'CloudWatch Alarms does not have authorization to access the SNS topic encryption key.',
    );
    expect(await probeMessages()).toEqual([]);
    await fire('customer-key');
    const [ok] = await history('customer-key', 'Action');
    expect(ok?.HistorySummary).toBe(`Successfully executed action ${topic('customer-key')}`);
    expect((await probeMessages()).map((m) => m.TopicArn)).toEqual([topic('customer-key')]);
  });

  it('runs no action while actions are disabled, and again once enabled', async () => {
    await cw().send(new DisableAlarmActionsCommand({ AlarmNames: ['muted', 'no-such-alarm'] }));
    expect(
      (await cw().send(new DescribeAlarmsCommand({ AlarmNames: ['muted'] }))).MetricAlarms?.[0]
        ?.ActionsEnabled,
    ).toBe(false);
    await fire('muted');
    expect(await history('muted', 'StateUpdate')).toHaveLength(1);
    expect(await history('muted', 'Action')).toEqual([]);
    await cw().send(new EnableAlarmActionsCommand({ AlarmNames: ['muted'] }));
    await cw().send(new SetAlarmStateCommand({ AlarmName: 'muted', StateValue: 'OK', StateReason: 'reset' }));
    // OK has no actions configured: the transition is recorded, nothing is published.
    expect(await history('muted', 'StateUpdate')).toHaveLength(2);
    await fire('muted');
    expect(await history('muted', 'Action')).toHaveLength(1);
    await probeMessages();
  });

  it('answers ResourceNotFound for an unknown alarm and InvalidFormat for non-JSON reason data', async () => {
    const missing = await caught(() =>
      cw().send(new SetAlarmStateCommand({ AlarmName: 'ghost', StateValue: 'ALARM', StateReason: 'x' })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFound);
    const badData = await caught(() =>
      cw().send(
        new SetAlarmStateCommand({
          AlarmName: 'delivered',
          StateValue: 'OK',
          StateReason: 'x',
          StateReasonData: '{nope',
        }),
      ),
    );
    expect(badData).toBeInstanceOf(InvalidFormatFault);
  });
});

describe('CloudWatch DescribeAlarmHistory', () => {
  it('records configuration changes, and pages newest first by default or oldest first', async () => {
    const input = alarmInput('paged');
    await cw().send(new PutMetricAlarmCommand(input));
    await cw().send(new PutMetricAlarmCommand({ ...input, Threshold: 5 }));
    for (const state of ['ALARM', 'OK', 'ALARM', 'OK'] as const)
      await cw().send(
        new SetAlarmStateCommand({ AlarmName: 'paged', StateValue: state, StateReason: state }),
      );
    await cw().send(new DeleteAlarmsCommand({ AlarmNames: ['paged'] }));
    const pages: string[][] = [];
    for await (const page of paginateDescribeAlarmHistory(
      { client: cw(), pageSize: 3 },
      { AlarmName: 'paged' },
    ))
      pages.push((page.AlarmHistoryItems ?? []).map((i) => i.HistorySummary ?? ''));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual([
      'Alarm "paged" deleted',
      'Alarm updated from ALARM to OK',
      'Alarm updated from OK to ALARM',
      'Alarm updated from ALARM to OK',
      'Alarm updated from INSUFFICIENT_DATA to ALARM',
      'Alarm "paged" updated',
      'Alarm "paged" created',
    ]);
    const ascending = await cw().send(
      new DescribeAlarmHistoryCommand({
        AlarmName: 'paged',
        ScanBy: 'TimestampAscending',
        HistoryItemType: 'ConfigurationUpdate',
      }),
    );
    expect(ascending.AlarmHistoryItems?.map((i) => JSON.parse(i.HistoryData ?? '{}').type)).toEqual([
      'Create',
      'Update',
      'Delete',
    ]);
    const update = JSON.parse(ascending.AlarmHistoryItems?.[1]?.HistoryData ?? '{}');
    expect([update.originalAlarm.Threshold, update.updatedAlarm.Threshold]).toEqual([1, 5]);
    const future = await cw().send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'paged', StartDate: new Date(Date.now() + 3_600_000) }),
    );
    expect(future.AlarmHistoryItems).toEqual([]);
    const past = await cw().send(
      new DescribeAlarmHistoryCommand({
        AlarmName: 'paged',
        EndDate: new Date(Date.now() + 3_600_000),
        MaxRecords: 100,
      }),
    );
    expect(past.AlarmHistoryItems).toHaveLength(7);
    expect(past.NextToken).toBeUndefined();
  });
});
