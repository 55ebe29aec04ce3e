/**
 * The example for issue 13's `events setup`: its set-up document built from the IaC model. Copy
 * `eventsSetupDocument` as the starting point: an EventBridge rule on CloudTrail management events per
 * region, forwarding to the default bus of the queue's region (with the role EventBridge needs for that),
 * and there a rule into an SQS queue with a dead-letter queue, a queue policy that lets only that rule
 * send, and a managed policy with the permissions the bot's poller needs. The events come from the
 * control registry (`breakingEvents()`), never from a second list. events-setup-example.test.ts checks
 * what both writers make of it.
 */
import { breakingEvents } from '../../src/core/controls';
import { type IacDocument, type JsonValue, type Resource, ref } from '../../src/core/iac';

export const ACCOUNT = '123456789012';
/** The region of the queue, where the other regions' rules forward their events. */
export const HUB = 'eu-west-2';

const BREAKING = breakingEvents();

/**
 * CloudTrail management events of every call that can break a link of a registered control. Sources and
 * names are matched separately (a pattern cannot pair them), so a few harmless extra events get through:
 * the poller maps each event with `linksBrokenBy()` and drops those.
 */
export const PATTERN: JsonValue = {
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: [...new Set(BREAKING.map((e) => e.eventSource))],
    eventName: [...new Set(BREAKING.map((e) => e.eventName))].sort(),
  },
};

/** The rule of one region: into the queue in the hub region, onto the hub's default bus elsewhere. */
function ruleFor(region: string): Resource {
  const local = region === HUB;
  return {
    kind: 'event-rule',
    id: `chain-changes-${region}`,
    region,
    comment: local
      ? 'Changes to the chain, here and forwarded from the other regions'
      : `Forwards ${region}'s changes to ${HUB}`,
    name: 'cis-bot-chain-changes',
    description: 'CloudTrail management events that can break a CIS section 4 chain',
    eventPattern: PATTERN,
    targets: local
      ? [{ id: 'cis-bot-queue', arn: ref('events-queue', 'arn') }]
      : [
          {
            id: 'cis-bot-hub-bus',
            arn: `arn:aws:events:${HUB}:${ACCOUNT}:event-bus/default`,
            roleArn: ref('forwarder', 'arn'),
          },
        ],
  };
}

export function eventsSetupDocument(regions: readonly string[]): IacDocument {
  const forwarding = regions.some((r) => r !== HUB);
  const resources: Resource[] = [
    {
      kind: 'sqs-queue',
      id: 'events-dlq',
      region: HUB,
      name: 'cis-bot-events-dlq',
      messageRetentionSeconds: 1_209_600,
      sqsManagedSse: true,
    },
    {
      kind: 'sqs-queue',
      id: 'events-queue',
      region: HUB,
      name: 'cis-bot-events',
      visibilityTimeoutSeconds: 120,
      sqsManagedSse: true,
      redrive: { deadLetterQueueArn: ref('events-dlq', 'arn'), maxReceiveCount: 5 },
    },
    {
      kind: 'sqs-queue-policy',
      id: 'events-queue-policy',
      region: HUB,
      comment: 'Only the hub rule may send to the queue',
      queueUrl: ref('events-queue', 'url'),
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OnlyTheChainRule',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: ref('events-queue', 'arn'),
            Condition: { ArnEquals: { 'aws:SourceArn': ref(`chain-changes-${HUB}`, 'arn') } },
          },
        ],
      },
    },
    {
      kind: 'iam-managed-policy',
      id: 'bot-consumer',
      region: HUB,
      name: 'cis-bot-events-consumer',
      description: "Attach to cis-bot's role: read and delete the change events",
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'sqs:ReceiveMessage',
              'sqs:DeleteMessage',
              'sqs:ChangeMessageVisibility',
              'sqs:GetQueueAttributes',
            ],
            Resource: ref('events-queue', 'arn'),
          },
        ],
      },
    },
    ...(forwarding
      ? [
          {
            kind: 'iam-role',
            id: 'forwarder',
            region: HUB,
            name: 'cis-bot-event-forwarder',
            description: "EventBridge puts other regions' change events on the hub bus",
            assumeRolePolicy: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            },
            inlinePolicies: [
              {
                name: 'put-on-hub-bus',
                policy: {
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Effect: 'Allow',
                      Action: 'events:PutEvents',
                      Resource: `arn:aws:events:${HUB}:${ACCOUNT}:event-bus/default`,
                    },
                  ],
                },
              },
            ],
          } satisfies Resource,
        ]
      : []),
    ...regions.map(ruleFor),
  ];
  return {
    description: 'cis-bot drift alerts: CloudTrail changes to the monitoring chain, into one SQS queue',
    accountId: ACCOUNT,
    notes: ['Set events.queue_url in the bot configuration to the QueueUrl output.'],
    inputs: [],
    resources,
    outputs: [
      { id: 'queue-url', description: 'events.queue_url for the bot', value: ref('events-queue', 'url') },
      {
        id: 'dead-letter-queue-arn',
        description: 'Where poison messages go',
        value: ref('events-dlq', 'arn'),
      },
    ],
  };
}
