/**
 * Sandbox scenarios for the audit tests: a compliant CIS 4.1 account and one variation per broken link,
 * built from one template so each case differs from the compliant chain by exactly what it tests.
 * All cases live in one scenario (one sandbox for the suite), audited from a security account through
 * the CisBotAudit role, like a real multi-account set-up.
 */
import type { Scenario } from '../../src/sandbox';

export const CIS_41 =
  '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }';
export const REGION = 'eu-west-2';
export const SECURITY = '999900000001';

type Account = Scenario['accounts'][number];
type Region = NonNullable<Account['regions']>[string];
type Trail = NonNullable<Region['trails']>[number];
type Alarm = NonNullable<Region['alarms']>[number];
type Topic = NonNullable<Region['topics']>[number];
type LogGroup = NonNullable<Region['log_groups']>[number];
type MetricFilter = NonNullable<LogGroup['metric_filters']>[number];

export interface ChainParts {
  region?: string;
  trail?: Partial<Trail> | null;
  extraTrails?: Trail[];
  logGroup?: Partial<LogGroup> | null;
  filterPattern?: string;
  /** Other settings of the chain's metric filter (metric value, default value, dimensions). */
  filter?: Partial<MetricFilter>;
  alarm?: Partial<Alarm> | null;
  extraAlarms?: Alarm[];
  topic?: Partial<Topic> | null;
  deniedActions?: string[];
}

/** One account whose chain is compliant unless `parts` breaks it. */
export function chainAccount(id: string, label: string, parts: ChainParts = {}): Account {
  const region = parts.region ?? REGION;
  const topicArn = `arn:aws:sns:${region}:${id}:cis-alarms`;
  const trails: Trail[] = [];
  if (parts.trail !== null)
    trails.push({ name: 'main', multi_region: true, logging: true, log_group: 'cloudtrail', ...parts.trail });
  trails.push(...(parts.extraTrails ?? []));
  const logGroups: LogGroup[] =
    parts.logGroup === null
      ? []
      : [
          {
            name: 'cloudtrail',
            metric_filters: [
              {
                name: 'unauthorized_api_calls_metric',
                pattern: parts.filterPattern ?? CIS_41,
                metric_name: 'unauthorized_api_calls_metric',
                metric_namespace: 'CISBenchmark',
                ...parts.filter,
              },
            ],
            ...parts.logGroup,
          },
        ];
  const alarms: Alarm[] = [];
  if (parts.alarm !== null)
    alarms.push({
      name: 'unauthorized_api_calls_alarm',
      metric_name: 'unauthorized_api_calls_metric',
      namespace: 'CISBenchmark',
      alarm_actions: [topicArn],
      ...parts.alarm,
    });
  alarms.push(...(parts.extraAlarms ?? []));
  const topics: Topic[] =
    parts.topic === null
      ? []
      : [
          {
            name: 'cis-alarms',
            subscriptions: [{ protocol: 'email', endpoint: 'secops@example.com', confirmed: true }],
            ...parts.topic,
          },
        ];
  return {
    id,
    label,
    roles: [{ name: 'CisBotAudit', denied_actions: parts.deniedActions ?? [] }],
    regions: { [region]: { trails, log_groups: logGroups, alarms, topics } },
  };
}

/** The expectation of each case: verdict, the broken link, and a phrase of the reason. */
export interface Case {
  id: string;
  label: string;
  account: Account;
  status: 'COMPLIANT' | 'NON_COMPLIANT' | 'ERROR';
  link?: string;
  reason: RegExp;
}

const ORG_MGMT = '100000000099';
const ORG_MEMBER = '100000000098';

function c(n: number): string {
  return `1000000000${String(n).padStart(2, '0')}`;
}

const SPECS: Array<Omit<Case, 'account'>> = [
  { id: c(1), label: 'compliant', status: 'COMPLIANT', reason: /Chain holds: trail 'main'/ },
  {
    id: c(2),
    label: 'no trail',
    status: 'NON_COMPLIANT',
    link: 'trail',
    reason: /No CloudTrail trail covers account/,
  },
  {
    id: c(3),
    label: 'single-region trail only',
    status: 'NON_COMPLIANT',
    link: 'trail',
    reason: /No multi-region trail: .*not multi-region/,
  },
  {
    id: c(4),
    label: 'trail not logging',
    status: 'NON_COMPLIANT',
    link: 'logging',
    reason: /is not logging/,
  },
  {
    id: c(5),
    label: 'write-only selectors',
    status: 'NON_COMPLIANT',
    link: 'management-events',
    reason: /write-only management events only/,
  },
  {
    id: c(6),
    label: 'management events excluded',
    status: 'NON_COMPLIANT',
    link: 'management-events',
    reason: /records no management events/,
  },
  {
    id: c(7),
    label: 'management events from KMS excluded',
    status: 'NON_COMPLIANT',
    link: 'management-events',
    reason: /excludes management events \(kms\.amazonaws\.com\)/,
  },
  { id: c(8), label: 'advanced selectors that pass', status: 'COMPLIANT', reason: /Chain holds/ },
  {
    id: c(9),
    label: 'advanced selectors read-only',
    status: 'NON_COMPLIANT',
    link: 'management-events',
    reason: /read-only management events only/,
  },
  {
    id: c(10),
    label: 'no log group',
    status: 'NON_COMPLIANT',
    link: 'log-group',
    reason: /does not deliver to CloudWatch Logs/,
  },
  {
    id: c(11),
    label: 'log group deleted',
    status: 'NON_COMPLIANT',
    link: 'log-group',
    reason: /Log group cloudtrail .* does not exist/,
  },
  {
    id: c(12),
    label: 'no filter',
    status: 'NON_COMPLIANT',
    link: 'metric-filter',
    reason: /has no metric filter/,
  },
  {
    id: c(13),
    label: 'wrong filter (narrower)',
    status: 'NON_COMPLIANT',
    link: 'metric-filter',
    reason: /closest is 'unauthorized_api_calls_metric', (NARROWER|OVERLAPPING): it misses/,
  },
  {
    id: c(14),
    label: 'never-matching filter',
    status: 'NON_COMPLIANT',
    link: 'metric-filter',
    reason: /catches every CIS 4\.1 event/,
  },
  {
    id: c(15),
    label: 'equivalent filter, reordered and requoted',
    status: 'COMPLIANT',
    reason: /Chain holds/,
  },
  {
    id: c(16),
    label: 'alarm on the metric name in another namespace',
    status: 'NON_COMPLIANT',
    link: 'alarm',
    reason: /No CloudWatch alarm on metric CISBenchmark\/unauthorized_api_calls_metric/,
  },
  {
    id: c(17),
    label: 'alarm actions disabled',
    status: 'NON_COMPLIANT',
    link: 'alarm',
    reason: /ActionsEnabled=false/,
  },
  {
    id: c(18),
    label: 'no topic action',
    status: 'NON_COMPLIANT',
    link: 'topic',
    reason: /notifies no SNS topic/,
  },
  {
    id: c(19),
    label: 'topic without subscriptions',
    status: 'NON_COMPLIANT',
    link: 'subscription',
    reason: /has no subscriptions/,
  },
  {
    id: c(20),
    label: 'only a pending subscription',
    status: 'NON_COMPLIANT',
    link: 'subscription',
    reason: /pending confirmation/,
  },
  { id: c(21), label: 'chain in another region than the audit', status: 'COMPLIANT', reason: /Chain holds/ },
  {
    id: c(22),
    label: 'AccessDenied on DescribeMetricFilters',
    status: 'ERROR',
    link: 'log-group',
    reason: /Access denied to logs:DescribeMetricFilters/,
  },
  {
    id: c(23),
    label: 'AccessDenied on DescribeTrails',
    status: 'ERROR',
    link: 'trail',
    reason: /Access denied to cloudtrail:DescribeTrails/,
  },
  {
    id: c(24),
    label: 'AccessDenied on DescribeAlarmsForMetric',
    status: 'ERROR',
    link: 'alarm',
    reason: /Access denied to cloudwatch:DescribeAlarmsForMetric/,
  },
  {
    id: c(25),
    label: 'AccessDenied on ListSubscriptionsByTopic',
    status: 'ERROR',
    link: 'subscription',
    reason: /Access denied to sns:ListSubscriptionsByTopic/,
  },
  { id: c(26), label: 'broader filter (warns)', status: 'COMPLIANT', reason: /Chain holds.*warning/ },
  {
    id: c(27),
    label: 'topic policy shuts CloudWatch out (warns)',
    status: 'COMPLIANT',
    reason: /Chain holds.*warning/,
  },
  {
    id: c(28),
    label: 'two trails, the second one holds',
    status: 'COMPLIANT',
    reason: /Chain holds: trail 'zz-good'/,
  },
  { id: c(29), label: 'no role to assume', status: 'ERROR', reason: /Cannot audit account .*cannot assume/ },
  {
    id: c(30),
    label: 'filter emits a UserName dimension, alarm on one user',
    status: 'NON_COMPLIANT',
    link: 'alarm',
    reason:
      /Filter 'unauthorized_api_calls_metric' emits dimension UserName \(\$\.userIdentity\.userName\) .*so an alarm sees one user's calls only \(alarm 'unauthorized_api_calls_alarm' watches UserName=alice\); remove the dimensions from the metric filter\.$/,
  },
  {
    id: c(31),
    label: 'alarm LessThanThreshold 1 (wrong direction)',
    status: 'NON_COMPLIANT',
    link: 'alarm',
    reason: /can never fire on a single matching event: .*below the threshold 1 \(LessThanThreshold\)/,
  },
  {
    id: c(32),
    label: 'filter metric value 0, alarm Sum >= 1',
    status: 'NON_COMPLIANT',
    link: 'alarm',
    reason: /can never fire on a single matching event: the filter emits metric value 0 per matching event/,
  },
  {
    id: c(33),
    label: 'alarm Sum >= 5',
    status: 'NON_COMPLIANT',
    link: 'alarm',
    reason:
      /can never fire on a single matching event: .*it takes 5 matching events within one 300-second period/,
  },
  {
    id: c(34),
    label: 'alarm SampleCount >= 1 on metric value 0 (fires)',
    status: 'COMPLIANT',
    reason: /^Chain holds: .*\(confirmed subscriber\)\.$/,
  },
  {
    id: c(35),
    label: 'alarm needs 3 of 3 datapoints (warns)',
    status: 'COMPLIANT',
    reason: /Chain holds.*; 1 warning\(s\)\.$/,
  },
  {
    id: ORG_MEMBER,
    label: 'organization member',
    status: 'COMPLIANT',
    reason: /Chain holds: trail 'org-trail'/,
  },
  {
    id: ORG_MGMT,
    label: 'organization management',
    status: 'COMPLIANT',
    reason: /Chain holds: trail 'org-trail'/,
  },
];

export const CASES: Case[] = SPECS.map((x) => ({ ...x, account: accountFor(x.id, x.label) }));

function accountFor(id: string, label: string): Account {
  switch (label) {
    case 'compliant':
      return chainAccount(id, label);
    case 'no trail':
      return chainAccount(id, label, { trail: null });
    case 'single-region trail only':
      return chainAccount(id, label, { trail: { multi_region: false } });
    case 'trail not logging':
      return chainAccount(id, label, { trail: { logging: false } });
    case 'write-only selectors':
      return chainAccount(id, label, { trail: { event_selectors: [{ read_write_type: 'WriteOnly' }] } });
    case 'management events excluded':
      return chainAccount(id, label, {
        trail: { event_selectors: [{ read_write_type: 'All', include_management_events: false }] },
      });
    case 'management events from KMS excluded':
      return chainAccount(id, label, {
        trail: {
          event_selectors: [
            { read_write_type: 'All', exclude_management_event_sources: ['kms.amazonaws.com'] },
          ],
        },
      });
    case 'advanced selectors that pass':
      return chainAccount(id, label, {
        trail: {
          advanced_event_selectors: [
            { name: 'Management', field_selectors: [{ field: 'eventCategory', equals: ['Management'] }] },
            {
              name: 'S3 data',
              field_selectors: [
                { field: 'eventCategory', equals: ['Data'] },
                { field: 'resources.type', equals: ['AWS::S3::Object'] },
              ],
            },
          ],
        },
      });
    case 'advanced selectors read-only':
      return chainAccount(id, label, {
        trail: {
          advanced_event_selectors: [
            {
              name: 'Reads',
              field_selectors: [
                { field: 'eventCategory', equals: ['Management'] },
                { field: 'readOnly', equals: ['true'] },
              ],
            },
          ],
        },
      });
    case 'no log group': {
      const a = chainAccount(id, label);
      const trail = a.regions?.[REGION]?.trails?.[0];
      if (trail) delete trail.log_group;
      return a;
    }
    case 'log group deleted':
      return chainAccount(id, label, { logGroup: null });
    case 'no filter':
      return chainAccount(id, label, { logGroup: { metric_filters: [] } });
    case 'wrong filter (narrower)':
      return chainAccount(id, label, { filterPattern: '{ ($.errorCode = "*UnauthorizedOperation") }' });
    case 'never-matching filter':
      // The peers' regexes pass this: all four CIS clauses joined with && can never match.
      return chainAccount(id, label, {
        filterPattern:
          '{ ($.errorCode = "*UnauthorizedOperation") && ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
      });
    case 'equivalent filter, reordered and requoted':
      return chainAccount(id, label, {
        filterPattern:
          '{($.eventName!=HeadBucket && $.errorCode="AccessDenied*" && $.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.errorCode = *UnauthorizedOperation)}',
      });
    case 'alarm on the metric name in another namespace':
      return chainAccount(id, label, { alarm: { namespace: 'Security' } });
    case 'alarm actions disabled':
      return chainAccount(id, label, { alarm: { actions_enabled: false } });
    case 'no topic action':
      return chainAccount(id, label, { alarm: { alarm_actions: [] } });
    case 'topic without subscriptions':
      return chainAccount(id, label, { topic: { subscriptions: [] } });
    case 'only a pending subscription':
      return chainAccount(id, label, {
        topic: { subscriptions: [{ protocol: 'email', endpoint: 'secops@example.com', confirmed: false }] },
      });
    case 'chain in another region than the audit':
      return chainAccount(id, label, { region: 'us-east-1' });
    case 'AccessDenied on DescribeMetricFilters':
      return chainAccount(id, label, { deniedActions: ['logs:DescribeMetricFilters'] });
    case 'AccessDenied on DescribeTrails':
      return chainAccount(id, label, { deniedActions: ['cloudtrail:DescribeTrails'] });
    case 'AccessDenied on DescribeAlarmsForMetric':
      return chainAccount(id, label, { deniedActions: ['cloudwatch:DescribeAlarmsForMetric'] });
    case 'AccessDenied on ListSubscriptionsByTopic':
      return chainAccount(id, label, { deniedActions: ['sns:ListSubscriptionsByTopic'] });
    case 'broader filter (warns)':
      return chainAccount(id, label, { filterPattern: '{ $.errorCode = * }' });
    case 'topic policy shuts CloudWatch out (warns)':
      return chainAccount(id, label, {
        topic: {
          policy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${id}:root` },
                Action: 'sns:Publish',
                Resource: '*',
              },
            ],
          },
        },
      });
    case 'two trails, the second one holds':
      return chainAccount(id, label, {
        trail: { name: 'aa-broken', logging: false },
        extraTrails: [{ name: 'zz-good', multi_region: true, logging: true, log_group: 'cloudtrail' }],
      });
    case 'filter emits a UserName dimension, alarm on one user':
      return chainAccount(id, label, {
        filter: { dimensions: { UserName: '$.userIdentity.userName' } },
        alarm: { dimensions: [{ name: 'UserName', value: 'alice' }] },
      });
    case 'alarm LessThanThreshold 1 (wrong direction)':
      return chainAccount(id, label, { alarm: { comparison_operator: 'LessThanThreshold' } });
    case 'filter metric value 0, alarm Sum >= 1':
      return chainAccount(id, label, { filter: { metric_value: '0' } });
    case 'alarm Sum >= 5':
      return chainAccount(id, label, { alarm: { threshold: 5 } });
    case 'alarm SampleCount >= 1 on metric value 0 (fires)':
      return chainAccount(id, label, { filter: { metric_value: '0' }, alarm: { statistic: 'SampleCount' } });
    case 'alarm needs 3 of 3 datapoints (warns)':
      return chainAccount(id, label, { alarm: { evaluation_periods: 3, datapoints_to_alarm: 3 } });
    case 'no role to assume':
      return { ...chainAccount(id, label), roles: [] };
    case 'organization member':
      return { id, label, roles: [{ name: 'CisBotAudit' }] };
    case 'organization management':
      return chainAccount(id, label, {
        region: 'us-east-1',
        trail: { name: 'org-trail', organization: true },
      });
    default:
      throw new Error(`no fixture for ${label}`);
  }
}

export function casesScenario(extra: Account[] = []): Scenario {
  return {
    organization: { management_account: ORG_MGMT, members: [ORG_MEMBER] },
    accounts: [{ id: SECURITY, label: 'security' }, ...CASES.map((x) => x.account), ...extra],
  };
}

export const ORG = { management: ORG_MGMT, member: ORG_MEMBER };
