/**
 * `cis-bot events setup`: the infrastructure that feeds the drift alerts, as ONE infrastructure-as-code
 * document for the shared writers (src/core/iac: `toTerraform`, `toCloudFormation`). EventBridge rules
 * are regional, so there is a rule on CloudTrail management events in every region that holds a link of
 * the chain; the rule of the queue's region (the hub) targets the queue, the others forward to the hub's
 * default event bus (with the role EventBridge assumes for that). In the hub: the queue, its dead-letter
 * queue (redrive after `maxReceiveCount` receives), a queue policy that lets only the hub's rule send,
 * and a managed policy with what the bot's poller needs. The calls the rules match come from the control
 * registry (`breakingEvents()`), never from a second list.
 *
 * Two layouts:
 * - single account: everything above in one account;
 * - organization (central bus): each member account deploys only the per-region forwarding rules
 *   (`forwardTo`: the central account), and the central account deploys the hub with
 *   `organizationId`, which the notes turn into the bus permission the members need.
 */
import { breakingEvents } from '../controls';
import type { Control } from '../controls/types';
import type { IacDocument, JsonValue, Resource } from '../iac';
import { ref } from '../iac';
import { EVENTS_QUEUE_ACTIONS } from './queue-actions';

export interface EventsSetupOptions {
  /** The account the document is deployed in. */
  accountId: string;
  /** The region of the queue (and of the bus every other region forwards to). */
  hubRegion: string;
  /** Every region that holds a link of a chain (the hub is added when missing). */
  regions: readonly string[];
  /** The controls whose breaking calls the rules match (default: the whole registry). */
  controls?: Iterable<Control>;
  /** Member-account layout: only rules, forwarding to this (central) account's bus in the hub region. */
  forwardTo?: string;
  /** Central-account layout: the organization whose members forward their events here. */
  organizationId?: string;
  /** Names (defaults `cis-bot-events`, `cis-bot-events-dlq`). */
  queueName?: string;
  maxReceiveCount?: number;
  visibilityTimeoutSeconds?: number;
}

const RULE_NAME = 'cis-bot-chain-changes';

/**
 * The event pattern of the rules: CloudTrail management events of every call that can break a link of
 * the controls. Sources and names are matched separately (a pattern cannot pair them), so a few
 * harmless extra events get through: the poller maps each event with the registry and drops those.
 */
export function chainEventPattern(controls?: Iterable<Control>): JsonValue {
  const breaking = breakingEvents(controls);
  return {
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: [...new Set(breaking.map((e) => e.eventSource))].sort(),
      eventName: [...new Set(breaking.map((e) => e.eventName))].sort(),
    },
  };
}

function hubBus(options: EventsSetupOptions): string {
  return `arn:aws:events:${options.hubRegion}:${options.forwardTo ?? options.accountId}:event-bus/default`;
}

function ruleFor(region: string, options: EventsSetupOptions, pattern: JsonValue): Resource {
  const local = region === options.hubRegion && options.forwardTo === undefined;
  const target = options.forwardTo
    ? `the central account ${options.forwardTo}'s bus in ${options.hubRegion}`
    : `${options.hubRegion}`;
  return {
    kind: 'event-rule',
    id: `chain-changes-${region}`,
    region,
    comment: local
      ? 'Changes to the chain, here and forwarded from the other regions and accounts'
      : `Forwards ${region}'s changes to ${target}`,
    name: RULE_NAME,
    description: 'CloudTrail management events that can break a CIS section 4 chain',
    eventPattern: pattern,
    targets: local
      ? [{ id: 'cis-bot-queue', arn: ref('events-queue', 'arn') }]
      : [{ id: 'cis-bot-hub-bus', arn: hubBus(options), roleArn: ref('forwarder', 'arn') }],
  };
}

function forwarderRole(options: EventsSetupOptions): Resource {
  return {
    kind: 'iam-role',
    id: 'forwarder',
    region: options.hubRegion,
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
          Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: hubBus(options) }],
        },
      },
    ],
  };
}

function hubResources(options: EventsSetupOptions): Resource[] {
  const { hubRegion } = options;
  const name = options.queueName ?? 'cis-bot-events';
  return [
    {
      kind: 'sqs-queue',
      id: 'events-dlq',
      region: hubRegion,
      comment: 'Poison messages: events the bot failed to re-audit on every receive',
      name: `${name}-dlq`,
      messageRetentionSeconds: 1_209_600,
      sqsManagedSse: true,
    },
    {
      kind: 'sqs-queue',
      id: 'events-queue',
      region: hubRegion,
      name,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 120,
      sqsManagedSse: true,
      redrive: {
        deadLetterQueueArn: ref('events-dlq', 'arn'),
        maxReceiveCount: options.maxReceiveCount ?? 5,
      },
    },
    {
      kind: 'sqs-queue-policy',
      id: 'events-queue-policy',
      region: hubRegion,
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
            Condition: { ArnEquals: { 'aws:SourceArn': ref(`chain-changes-${hubRegion}`, 'arn') } },
          },
        ],
      },
    },
    {
      kind: 'iam-managed-policy',
      id: 'bot-consumer',
      region: hubRegion,
      name: 'cis-bot-events-consumer',
      description: "Attach to cis-bot's role: read and delete the change events",
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: [...EVENTS_QUEUE_ACTIONS], Resource: ref('events-queue', 'arn') },
        ],
      },
    },
  ];
}

export function eventsSetupDocument(options: EventsSetupOptions): IacDocument {
  const regions = [...new Set([options.hubRegion, ...options.regions])].sort((a, b) =>
    a === options.hubRegion ? -1 : b === options.hubRegion ? 1 : a.localeCompare(b),
  );
  const pattern = chainEventPattern(options.controls);
  const member = options.forwardTo !== undefined;
  const forwarding = member || regions.some((r) => r !== options.hubRegion);
  const resources: Resource[] = [
    ...(member ? [] : hubResources(options)),
    ...(forwarding ? [forwarderRole(options)] : []),
    ...regions.map((r) => ruleFor(r, options, pattern)),
  ];
  const notes = member
    ? [
        `Deploy in member account ${options.accountId}: its rules forward chain changes to the central account ${options.forwardTo}, whose bus in ${options.hubRegion} must allow this account (see the central account's set-up).`,
      ]
    : ['Set events.queue_url in the bot configuration to the queue-url output.'];
  if (options.organizationId) {
    notes.push(
      `Let the organization's accounts put events on this account's default bus in ${options.hubRegion}: aws events put-permission --region ${options.hubRegion} --event-bus-name default --action events:PutEvents --principal '*' --statement-id cis-bot-organization --condition '{"Type":"StringEquals","Key":"aws:PrincipalOrgID","Value":"${options.organizationId}"}'`,
    );
  }
  return {
    description: member
      ? 'cis-bot drift alerts (member account): CloudTrail changes to the monitoring chain, forwarded to the central bus'
      : 'cis-bot drift alerts: CloudTrail changes to the monitoring chain, into one SQS queue',
    accountId: options.accountId,
    notes,
    inputs: [],
    resources,
    outputs: member
      ? []
      : [
          { id: 'queue-url', description: 'events.queue_url for the bot', value: ref('events-queue', 'url') },
          {
            id: 'dead-letter-queue-arn',
            description: 'Where poison messages go',
            value: ref('events-dlq', 'arn'),
          },
        ],
  };
}
