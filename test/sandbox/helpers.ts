/**
 * Shared fixtures of the sandbox tests: a scenario with an organization, a compliant member, a
 * management account and a restricted account, plus real SDK v3 clients pointed at a sandbox.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { Sandbox, Scenario } from '../../src/sandbox';

export const MEMBER = '111122223333';
export const MGMT = '999988887777';
export const RESTRICTED = '444455556666';

export const CIS_PATTERN =
  '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }';

export function baseScenario(): Scenario {
  return {
    organization: { management_account: MGMT, members: [MEMBER] },
    accounts: [
      {
        id: MGMT,
        label: 'management',
        roles: [{ name: 'CisBotAudit', external_id: 'ext-mgmt' }],
        regions: {
          'us-east-1': {
            trails: [
              {
                name: 'org-trail',
                organization: true,
                log_group: 'org-cloudtrail',
                advanced_event_selectors: [
                  {
                    name: 'Management events',
                    field_selectors: [{ field: 'eventCategory', equals: ['Management'] }],
                  },
                ],
              },
            ],
            log_groups: [{ name: 'org-cloudtrail' }],
          },
        },
      },
      {
        id: MEMBER,
        label: 'compliant',
        roles: [{ name: 'CisBotAudit' }],
        regions: {
          'eu-west-2': {
            trails: [{ name: 'main', log_group: 'ct-logs' }],
            log_groups: [
              {
                name: 'ct-logs',
                metric_filters: [
                  {
                    name: 'unauthorized-api-calls',
                    pattern: CIS_PATTERN,
                    metric_name: 'unauthorized_api_calls_metric',
                    metric_namespace: 'CISBenchmark',
                  },
                ],
              },
              { name: 'app-logs' },
            ],
            alarms: [
              {
                name: 'unauthorized-api-calls-alarm',
                metric_name: 'unauthorized_api_calls_metric',
                namespace: 'CISBenchmark',
                alarm_actions: [`arn:aws:sns:eu-west-2:${MEMBER}:cis-alarms`],
              },
            ],
            topics: [
              {
                name: 'cis-alarms',
                subscriptions: [{ protocol: 'email', endpoint: 'sec@example.com', confirmed: true }],
              },
            ],
          },
          'eu-west-1': {
            trails: [
              {
                name: 'local',
                multi_region: false,
                logging: false,
                event_selectors: [
                  {
                    read_write_type: 'WriteOnly',
                    include_management_events: true,
                    exclude_management_event_sources: ['kms.amazonaws.com'],
                  },
                ],
              },
            ],
          },
        },
      },
      {
        id: RESTRICTED,
        label: 'restricted',
        denied_actions: [
          'cloudtrail:GetTrailStatus',
          'logs:DescribeMetricFilters',
          'cloudwatch:DescribeAlarmsForMetric',
          'sns:ListSubscriptionsByTopic',
        ],
        roles: [{ name: 'CisBotAudit', external_id: 'ext-444', trusted_accounts: [MEMBER] }],
        regions: {
          'eu-west-2': {
            trails: [{ name: 'restricted-trail', log_group: 'rt' }],
            log_groups: [{ name: 'rt' }],
            alarms: [{ name: 'restricted-alarm', metric_name: 'm', namespace: 'Other' }],
            topics: [{ name: 'restricted-topic' }],
          },
        },
      },
    ],
  };
}

export interface ClientOptions {
  region?: string;
  maxAttempts?: number;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export function clients(sb: Sandbox, account: string, options: ClientOptions = {}) {
  const config = {
    endpoint: sb.endpoint,
    region: options.region ?? 'eu-west-2',
    credentials: options.credentials ?? sb.credentialsFor(account),
    maxAttempts: options.maxAttempts ?? 1,
  };
  return {
    cloudtrail: new CloudTrailClient(config),
    logs: new CloudWatchLogsClient(config),
    cloudwatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
    sts: new STSClient(config),
    sqs: new SQSClient(config),
    kms: new KMSClient(config),
    organizations: new OrganizationsClient(config),
    securityhub: new SecurityHubClient(config),
  };
}

/** Runs `fn` and returns the error it throws (fails the test when it does not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

/** Waits until `check` holds (polling every 10 ms), failing after `ms`: no timing assertion, just a bound. */
export async function eventually<T>(check: () => T | undefined | false, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

type ScenarioAccountInput = Scenario['accounts'][number];
type ScenarioRegionInput = NonNullable<ScenarioAccountInput['regions']>[string];

/** A scenario account with resources in one region: `accountIn(MEMBER, 'eu-west-2', { queues: [...] })`. */
export function accountIn(
  id: string,
  region: string,
  resources: ScenarioRegionInput,
  extra: Omit<ScenarioAccountInput, 'id' | 'regions'> = {},
): ScenarioAccountInput {
  return { id, ...extra, regions: { [region]: resources } };
}

/** A compliant CIS 4.1 chain in a region: trail `main` -> log group `ct-logs` -> filter -> alarm -> topic `cis-alarms`. */
export function chainRegion(account: string, region: string): ScenarioRegionInput {
  const topicArn = `arn:aws:sns:${region}:${account}:cis-alarms`;
  return {
    trails: [{ name: 'main', log_group: 'ct-logs' }],
    log_groups: [
      {
        name: 'ct-logs',
        metric_filters: [
          { name: 'cis-4-1', pattern: CIS_PATTERN, metric_name: 'm41', metric_namespace: 'CISBenchmark' },
        ],
      },
    ],
    alarms: [{ name: 'cis-4-1', metric_name: 'm41', namespace: 'CISBenchmark', alarm_actions: [topicArn] }],
    topics: [
      {
        name: 'cis-alarms',
        subscriptions: [{ protocol: 'email', endpoint: 'sec@example.com', confirmed: true }],
      },
    ],
  };
}

/** A valid PutMetricAlarm input for a plain metric alarm (tests override what they exercise). */
export function alarmInput(
  name: string,
  over: Partial<PutMetricAlarmCommandInput> = {},
): PutMetricAlarmCommandInput {
  return {
    AlarmName: name,
    MetricName: 'm',
    Namespace: 'n',
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanThreshold',
    ...over,
  };
}

/** A policy document allowing `principal` the `action` on `resource`, with an optional condition. */
export function allowPolicy(
  principal: Record<string, unknown>,
  action: string | string[],
  resource: string,
  condition?: unknown,
) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: principal,
        Action: action,
        Resource: resource,
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  };
}
