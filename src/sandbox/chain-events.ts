/**
 * Chain-change events: when a sandbox call changes state (a trail stopped, an alarm deleted, a
 * subscription removed...), the sandbox builds the EventBridge event AWS would deliver for the CloudTrail
 * management event ("AWS API Call via CloudTrail", the CloudTrail record as `detail`) and forwards it to
 * the SQS queues the scenario's `events` routes name, modelling per-account EventBridge rules that forward
 * to a central queue. Only successful calls that changed state emit (handlers mark them with ctx.changed).
 */
import { deliverToQueue } from './queue-delivery';
import type { Caller, Output, ServiceName } from './service';
import type { EventRoute, SandboxState } from './state';
import { toJsonValue } from './wire';

/** CloudTrail's eventSource and EventBridge's source per sandbox service. */
const SOURCES: Partial<Record<ServiceName, { eventSource: string; source: string }>> = {
  cloudtrail: { eventSource: 'cloudtrail.amazonaws.com', source: 'aws.cloudtrail' },
  logs: { eventSource: 'logs.amazonaws.com', source: 'aws.logs' },
  monitoring: { eventSource: 'monitoring.amazonaws.com', source: 'aws.cloudwatch' },
  sns: { eventSource: 'sns.amazonaws.com', source: 'aws.sns' },
  securityhub: { eventSource: 'securityhub.amazonaws.com', source: 'aws.securityhub' },
  organizations: { eventSource: 'organizations.amazonaws.com', source: 'aws.organizations' },
  kms: { eventSource: 'kms.amazonaws.com', source: 'aws.kms' },
};

export interface ChangedCall {
  service: ServiceName;
  operation: string;
  region: string;
  caller: Caller;
  /** The request's input members, as sent. */
  input: Record<string, unknown>;
  output: Output;
  resources: string[];
  requestId: string;
  eventId: string;
  userAgent: string;
  sourceIp: string;
  time: Date;
}

/** CloudTrail records members camelCased (`AlarmNames` -> `alarmNames`, `TopicArn` -> `topicArn`). */
function camel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camel);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camel(v)]),
    );
  }
  return value;
}

const isoSeconds = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

function userIdentity(caller: Caller): Record<string, unknown> {
  const base = {
    principalId: caller.userId,
    arn: caller.arn,
    accountId: caller.accountId,
    accessKeyId: caller.accessKeyId,
  };
  if (!caller.session || !caller.roleArn) {
    return { type: 'IAMUser', ...base, userName: caller.arn.slice(caller.arn.lastIndexOf('/') + 1) };
  }
  const roleId = caller.userId.split(':')[0];
  return {
    type: 'AssumedRole',
    ...base,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: roleId,
        arn: caller.roleArn,
        accountId: caller.accountId,
        userName: caller.session.roleName,
      },
      attributes: {
        creationDate: isoSeconds(new Date(caller.session.expiration.getTime() - 3_600_000)),
        mfaAuthenticated: 'false',
      },
    },
  };
}

/** The EventBridge event of a changed call, or undefined for a service CloudTrail events are not routed for. */
export function chainEvent(call: ChangedCall): Record<string, unknown> | undefined {
  const src = SOURCES[call.service];
  if (!src) return undefined;
  const output = call.output === undefined ? null : camel(toJsonValue(call.output));
  return {
    version: '0',
    id: call.eventId,
    'detail-type': 'AWS API Call via CloudTrail',
    source: src.source,
    account: call.caller.accountId,
    time: isoSeconds(call.time),
    region: call.region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: userIdentity(call.caller),
      eventTime: isoSeconds(call.time),
      eventSource: src.eventSource,
      eventName: call.operation,
      awsRegion: call.region,
      sourceIPAddress: call.sourceIp,
      userAgent: call.userAgent,
      requestParameters: camel(call.input),
      responseElements: output && Object.keys(output).length > 0 ? output : null,
      ...(call.resources.length > 0
        ? { resources: call.resources.map((ARN) => ({ ARN, accountId: call.caller.accountId })) }
        : {}),
      requestID: call.requestId,
      eventID: call.eventId,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: call.caller.accountId,
      eventCategory: 'Management',
    },
  };
}

function routeMatches(route: EventRoute, event: Record<string, unknown>, name: string): boolean {
  const has = (list: string[] | undefined, value: string) => list === undefined || list.includes(value);
  return (
    has(route.accounts, String(event.account)) &&
    has(route.regions, String(event.region)) &&
    has(route.sources, String(event.source)) &&
    has(route.names, name)
  );
}

/** Sends a changed call's event to every queue a matching route names (at most once per queue). */
export function routeChainEvent(state: SandboxState, call: ChangedCall, nextId: () => string): void {
  if (state.events.length === 0) return;
  const event = chainEvent(call);
  if (!event) return;
  const body = JSON.stringify(event);
  const sent = new Set<string>();
  for (const route of state.events) {
    if (sent.has(route.queueArn) || !routeMatches(route, event, call.operation)) continue;
    sent.add(route.queueArn);
    // The rule that targets the queue lives in the queue's account and region (the central account when
    // member accounts forward to a central bus), so that rule is the aws:SourceArn a queue policy sees.
    const [, , , queueRegion, queueAccount] = route.queueArn.split(':');
    deliverToQueue(
      state,
      route.queueArn,
      body,
      {
        service: 'events.amazonaws.com',
        sourceArn: `arn:aws:events:${queueRegion}:${queueAccount}:rule/${route.ruleName}`,
        sourceAccount: queueAccount ?? '',
        logSource: 'events',
        protocol: 'eventbridge',
        policyRequired: false,
      },
      nextId,
    );
  }
}
