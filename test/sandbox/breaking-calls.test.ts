/**
 * The contract between the control registry and the sandbox: every API call the registry says can break a
 * control is served by the sandbox and, when it changes something, arrives in the event queue as the
 * CloudTrail-shaped event the drift alerts map back to controls. A call added to the registry without a
 * sandbox counterpart fails here, naming it.
 */
import {
  DeleteTrailCommand,
  PutEventSelectorsCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DeleteAlarmsCommand,
  DisableAlarmActionsCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DeleteLogGroupCommand,
  DeleteMetricFilterCommand,
  PutMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DisableKeyCommand, PutKeyPolicyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import {
  DescribeOrganizationCommand,
  DisableAWSServiceAccessCommand,
  LeaveOrganizationCommand,
  RemoveAccountFromOrganizationCommand,
} from '@aws-sdk/client-organizations';
import { DisableSecurityHubCommand } from '@aws-sdk/client-securityhub';
import {
  AddPermissionCommand,
  DeleteTopicCommand,
  ListSubscriptionsByTopicCommand,
  RemovePermissionCommand,
  SetTopicAttributesCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { breakingEvents } from '../../src/core/controls';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { alarmInput, caught, chainRegion, clients, MEMBER, MGMT, RESTRICTED } from './helpers';

const REGION = 'eu-west-2';
const LEAVER = '555566667777';
const topicArn = `arn:aws:sns:${REGION}:${MEMBER}:cis-alarms`;

function scenario(): Scenario {
  return {
    organization: { management_account: MGMT, members: [MEMBER, RESTRICTED, LEAVER] },
    accounts: [
      { id: MGMT, regions: { [REGION]: { queues: [{ name: 'events' }] } } },
      {
        id: MEMBER,
        regions: {
          [REGION]: {
            ...chainRegion(MEMBER, REGION),
            kms_keys: [{ aliases: ['alias/cis-alarms'] }, { aliases: ['alias/spare'] }],
            security_hub: {},
          },
        },
      },
      { id: RESTRICTED },
      { id: LEAVER },
    ],
    events: [{ queue: `arn:aws:sqs:${REGION}:${MGMT}:events` }],
  };
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario() });
});
afterAll(() => sb.close());

/** One real call per breaking event, in an order that keeps each call's target in place until it runs. */
function calls(): Record<string, () => Promise<unknown>> {
  const m = clients(sb, MEMBER);
  const org = clients(sb, MGMT).organizations;
  return {
    'monitoring.amazonaws.com PutMetricAlarm': () =>
      m.cloudwatch.send(
        new PutMetricAlarmCommand(alarmInput('cis-4-1', { MetricName: 'm41', Threshold: 10 })),
      ),
    'monitoring.amazonaws.com DisableAlarmActions': () =>
      m.cloudwatch.send(new DisableAlarmActionsCommand({ AlarmNames: ['cis-4-1'] })),
    'monitoring.amazonaws.com DeleteAlarms': () =>
      m.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['cis-4-1'] })),
    'logs.amazonaws.com PutMetricFilter': () =>
      m.logs.send(
        new PutMetricFilterCommand({
          logGroupName: 'ct-logs',
          filterName: 'cis-4-1',
          filterPattern: '{ $.errorCode = "AccessDenied*" }',
          metricTransformations: [{ metricName: 'm41', metricNamespace: 'CISBenchmark', metricValue: '1' }],
        }),
      ),
    'logs.amazonaws.com DeleteMetricFilter': () =>
      m.logs.send(new DeleteMetricFilterCommand({ logGroupName: 'ct-logs', filterName: 'cis-4-1' })),
    'logs.amazonaws.com DeleteLogGroup': () =>
      m.logs.send(new DeleteLogGroupCommand({ logGroupName: 'ct-logs' })),
    'cloudtrail.amazonaws.com PutEventSelectors': () =>
      m.cloudtrail.send(
        new PutEventSelectorsCommand({ TrailName: 'main', EventSelectors: [{ ReadWriteType: 'ReadOnly' }] }),
      ),
    'cloudtrail.amazonaws.com UpdateTrail': () =>
      m.cloudtrail.send(new UpdateTrailCommand({ Name: 'main', IsMultiRegionTrail: false })),
    'cloudtrail.amazonaws.com StopLogging': () => m.cloudtrail.send(new StopLoggingCommand({ Name: 'main' })),
    'cloudtrail.amazonaws.com DeleteTrail': () => m.cloudtrail.send(new DeleteTrailCommand({ Name: 'main' })),
    'sns.amazonaws.com SetTopicAttributes': () =>
      m.sns.send(
        new SetTopicAttributesCommand({
          TopicArn: topicArn,
          AttributeName: 'KmsMasterKeyId',
          AttributeValue: 'alias/aws/sns',
        }),
      ),
    'sns.amazonaws.com RemovePermission': async () => {
      await m.sns.send(
        new AddPermissionCommand({
          TopicArn: topicArn,
          Label: 'cw',
          AWSAccountId: [MGMT],
          ActionName: ['Publish'],
        }),
      );
      return m.sns.send(new RemovePermissionCommand({ TopicArn: topicArn, Label: 'cw' }));
    },
    'sns.amazonaws.com Unsubscribe': async () => {
      const subs = await m.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
      return m.sns.send(
        new UnsubscribeCommand({ SubscriptionArn: subs.Subscriptions?.[0]?.SubscriptionArn }),
      );
    },
    'sns.amazonaws.com DeleteTopic': () => m.sns.send(new DeleteTopicCommand({ TopicArn: topicArn })),
    'kms.amazonaws.com PutKeyPolicy': () =>
      m.kms.send(
        new PutKeyPolicyCommand({
          KeyId: 'alias/cis-alarms',
          PolicyName: 'default',
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
        }),
      ),
    'securityhub.amazonaws.com DisableSecurityHub': () =>
      m.securityhub.send(new DisableSecurityHubCommand({})),
    'kms.amazonaws.com DisableKey': () => m.kms.send(new DisableKeyCommand({ KeyId: 'alias/cis-alarms' })),
    'kms.amazonaws.com ScheduleKeyDeletion': () =>
      m.kms.send(new ScheduleKeyDeletionCommand({ KeyId: 'alias/spare', PendingWindowInDays: 7 })),
    'organizations.amazonaws.com DisableAWSServiceAccess': () =>
      org.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' })),
    'organizations.amazonaws.com RemoveAccountFromOrganization': () =>
      org.send(new RemoveAccountFromOrganizationCommand({ AccountId: RESTRICTED })),
    'organizations.amazonaws.com LeaveOrganization': () =>
      clients(sb, LEAVER).organizations.send(new LeaveOrganizationCommand({})),
  };
}

async function drain(): Promise<{ account: string; detail: { eventSource: string; eventName: string } }[]> {
  const { sqs } = clients(sb, MGMT);
  const out = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: `${sb.endpoint}/${MGMT}/events`,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
      }),
    );
    if (!Messages) return out;
    out.push(...Messages.map((m) => JSON.parse(m.Body ?? '{}')));
  }
}

describe('the control registry’s chain-breaking calls', () => {
  it('are each served by the sandbox and emitted as chain-change events', async () => {
    const table = calls();
    const wanted = breakingEvents().map((e) => `${e.eventSource} ${e.eventName}`);
    const missing = wanted.filter((key) => !table[key]);
    expect(missing).toEqual([]);
    for (const key of Object.keys(table)) await table[key]?.();
    const emitted = (await drain()).map((e) => `${e.detail.eventSource} ${e.detail.eventName}`);
    expect(wanted.filter((key) => !emitted.includes(key))).toEqual([]);
  });

  it('ends organization membership for removed and departed accounts', async () => {
    for (const gone of [RESTRICTED, LEAVER]) {
      const error = await caught(() =>
        clients(sb, gone).organizations.send(new DescribeOrganizationCommand({})),
      );
      expect(error.name).toBe('AWSOrganizationsNotInUseException');
    }
  });
});
