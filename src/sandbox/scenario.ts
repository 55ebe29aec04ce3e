/**
 * The sandbox scenario: a declarative description of AWS accounts, regions and the resources the CIS 4.x
 * chain reads (trails, log groups with metric filters, alarms, SNS topics with subscriptions), plus which
 * IAM actions each account denies. Written as YAML or as the same-shaped TS object; validated with zod.
 * The full format is documented in ./README-scenario.md.
 *
 *   organization: { management_account: "999988887777", members: ["111122223333"], member_status_calls: denied }   # optional
 *   accounts:
 *     - id: "111122223333"
 *       label: compliant
 *       denied_actions: ["logs:DescribeMetricFilters"]      # IAM actions (globs allowed) answered AccessDenied
 *       roles: [{ name: CisBotAudit, external_id: secret }]
 *       regions:
 *         eu-west-2:
 *           trails: [{ name, multi_region, organization, logging, log_group, event_selectors | advanced_event_selectors }]
 *           log_groups: [{ name, metric_filters: [{ name, pattern, metric_name, metric_namespace, metric_value }] }]
 *           alarms: [{ name, metric_name, namespace, statistic, period, threshold, comparison_operator, ... }]
 *           topics: [{ name, policy, kms_master_key_id, subscriptions: [{ protocol, endpoint, confirmed }] }]
 *           queues: [{ name, visibility_timeout, policy, redrive: { dead_letter_queue, max_receive_count } }]
 *           kms_keys: [{ aliases, policy, enabled }]
 *           security_hub: { standards: [...] }
 *   events: [{ queue: <SQS queue ARN>, accounts?, regions?, sources?, names? }]   # chain-change event routing
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { ConfigError } from '../core/errors';
import { accountId, eventRouteSchema, organizationSchema, regionName, type ScenarioOu } from './scenario-org';
import { kmsKeySchema, policyDocument, queueSchema, securityHubSchema } from './scenario-services';

const iamAction = z
  .string()
  .regex(
    /^[a-zA-Z0-9-]+:[A-Za-z0-9*?]+$/,
    'an IAM action such as logs:DescribeMetricFilters (globs allowed)',
  );

const roleSchema = z
  .object({
    name: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name'),
    /** When set, AssumeRole must present exactly this ExternalId. */
    external_id: z.string().min(2).max(1224).optional(),
    /** Accounts allowed to assume the role; default: every account of the scenario. */
    trusted_accounts: z.array(accountId).optional(),
    /** Extra actions denied to sessions of this role (on top of the account's denied_actions). */
    denied_actions: z.array(iamAction).default([]),
  })
  .strict();

const fieldSelectorSchema = z
  .object({
    field: z.string().min(1),
    equals: z.array(z.string()).optional(),
    not_equals: z.array(z.string()).optional(),
    starts_with: z.array(z.string()).optional(),
    not_starts_with: z.array(z.string()).optional(),
    ends_with: z.array(z.string()).optional(),
    not_ends_with: z.array(z.string()).optional(),
  })
  .strict();

const eventSelectorSchema = z
  .object({
    read_write_type: z.enum(['ReadOnly', 'WriteOnly', 'All']).default('All'),
    include_management_events: z.boolean().default(true),
    exclude_management_event_sources: z.array(z.string()).default([]),
    data_resources: z.array(z.object({ type: z.string(), values: z.array(z.string()) }).strict()).default([]),
  })
  .strict();

const trailSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/, 'a CloudTrail trail name (3-128 characters)'),
    multi_region: z.boolean().default(true),
    /** An organization trail: only in the organization's management account; shown in every member. */
    organization: z.boolean().default(false),
    logging: z.boolean().default(true),
    /** A log-group name in the same account and region, or a full log-group ARN anywhere. */
    log_group: z.string().min(1).optional(),
    cloudwatch_logs_role_arn: z.string().startsWith('arn:').optional(),
    s3_bucket: z.string().min(3).optional(),
    include_global_service_events: z.boolean().default(true),
    log_file_validation: z.boolean().default(true),
    kms_key_id: z.string().optional(),
    latest_cloudwatch_logs_delivery_error: z.string().optional(),
    /** Basic selectors; when neither kind is given the trail has AWS's default (All, management events). */
    event_selectors: z.array(eventSelectorSchema).max(5).optional(),
    advanced_event_selectors: z
      .array(
        z
          .object({ name: z.string().optional(), field_selectors: z.array(fieldSelectorSchema).min(1) })
          .strict(),
      )
      .max(500)
      .optional(),
  })
  .strict()
  .refine((t) => !(t.event_selectors && t.advanced_event_selectors), {
    message: 'a trail has basic event_selectors or advanced_event_selectors, not both',
  });

const metricFilterSchema = z
  .object({
    name: z.string().regex(/^[^:*]{1,512}$/, 'a metric filter name (no ":" or "*")'),
    pattern: z.string().max(1024),
    metric_name: z.string().regex(/^[^:*$]{1,255}$/, 'a metric name'),
    metric_namespace: z.string().regex(/^[^:*$]{1,255}$/, 'a metric namespace'),
    metric_value: z.string().min(1).default('1'),
    default_value: z.number().optional(),
    unit: z.string().optional(),
    dimensions: z.record(z.string(), z.string()).optional(),
  })
  .strict();

const logGroupSchema = z
  .object({
    name: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'a log group name'),
    retention_in_days: z.number().int().positive().optional(),
    kms_key_id: z.string().optional(),
    metric_filters: z.array(metricFilterSchema).default([]),
  })
  .strict();

const comparisonOperators = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
] as const;
export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export const COMPARISON_OPERATORS = comparisonOperators;

const alarmSchema = z
  .object({
    name: z.string().min(1).max(255),
    metric_name: z.string().min(1).max(255),
    namespace: z.string().min(1).max(255),
    statistic: z.enum(STATISTICS).default('Sum'),
    period: z.number().int().positive().default(300),
    threshold: z.number().default(1),
    comparison_operator: z.enum(comparisonOperators).default('GreaterThanOrEqualToThreshold'),
    evaluation_periods: z.number().int().positive().default(1),
    datapoints_to_alarm: z.number().int().positive().optional(),
    actions_enabled: z.boolean().default(true),
    alarm_actions: z.array(z.string().startsWith('arn:')).default([]),
    ok_actions: z.array(z.string().startsWith('arn:')).default([]),
    insufficient_data_actions: z.array(z.string().startsWith('arn:')).default([]),
    dimensions: z.array(z.object({ name: z.string(), value: z.string() }).strict()).default([]),
    state: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']).default('OK'),
    treat_missing_data: z.enum(['breaching', 'notBreaching', 'ignore', 'missing']).optional(),
    description: z.string().optional(),
  })
  .strict();

export const SUBSCRIPTION_PROTOCOLS = [
  'email',
  'email-json',
  'http',
  'https',
  'sms',
  'sqs',
  'lambda',
  'application',
  'firehose',
] as const;

const subscriptionSchema = z
  .object({
    protocol: z.enum(SUBSCRIPTION_PROTOCOLS),
    endpoint: z.string().min(1),
    /** Default as after Subscribe: sqs/lambda/application/firehose confirmed, email/http(s)/sms pending. */
    confirmed: z.boolean().optional(),
  })
  .strict();

const topicSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'an SNS topic name'),
    display_name: z.string().optional(),
    /** The access policy (JSON text or object); default: AWS's default topic policy. */
    policy: policyDocument.optional(),
    kms_master_key_id: z.string().optional(),
    subscriptions: z.array(subscriptionSchema).default([]),
  })
  .strict();

export const regionSchema = z
  .object({
    trails: z.array(trailSchema).default([]),
    log_groups: z.array(logGroupSchema).default([]),
    alarms: z.array(alarmSchema).default([]),
    topics: z.array(topicSchema).default([]),
    queues: z.array(queueSchema).default([]),
    kms_keys: z.array(kmsKeySchema).default([]),
    /** Security Hub enabled in the region (absent: not enabled). */
    security_hub: securityHubSchema.optional(),
  })
  .strict();

const accountSchema = z
  .object({
    id: accountId,
    label: z.string().optional(),
    /** The IAM user name behind the account's base credentials (used in ARNs and AccessDenied messages). */
    user_name: z.string().default('cis-bot-sandbox'),
    /** Base access key id; default AKIASB00<account id>. */
    access_key_id: z
      .string()
      .regex(/^[A-Z0-9]{16,128}$/)
      .optional(),
    denied_actions: z.array(iamAction).default([]),
    roles: z.array(roleSchema).default([]),
    regions: z.record(regionName, regionSchema).default({}),
  })
  .strict();

export const scenarioSchema = z
  .object({
    organization: organizationSchema.optional(),
    accounts: z.array(accountSchema).min(1, 'at least one account'),
    /** Chain-change event routing: which calls are forwarded to which SQS queue. */
    events: z.array(eventRouteSchema).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    const ids = new Set<string>();
    const keys = new Set<string>();
    s.accounts.forEach((a, i) => {
      if (ids.has(a.id))
        ctx.addIssue({ code: 'custom', path: ['accounts', i, 'id'], message: `duplicate account ${a.id}` });
      ids.add(a.id);
      const key = a.access_key_id ?? defaultAccessKeyId(a.id);
      if (keys.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', i, 'access_key_id'],
          message: 'duplicate access key id',
        });
      keys.add(key);
      for (const [region, r] of Object.entries(a.regions)) {
        const at = (kind: string, j: number) => ['accounts', i, 'regions', region, kind, j, 'name'];
        const dup = (
          kind: 'trails' | 'log_groups' | 'alarms' | 'topics' | 'queues',
          list: { name: string }[],
        ) => {
          const seen = new Set<string>();
          list.forEach((item, j) => {
            if (seen.has(item.name))
              ctx.addIssue({ code: 'custom', path: at(kind, j), message: `duplicate name ${item.name}` });
            seen.add(item.name);
          });
        };
        dup('trails', r.trails);
        dup('log_groups', r.log_groups);
        dup('alarms', r.alarms);
        dup('topics', r.topics);
        dup('queues', r.queues);
        r.queues.forEach((q, j) => {
          if (q.redrive && !r.queues.some((d) => d.name === q.redrive?.dead_letter_queue))
            ctx.addIssue({
              code: 'custom',
              path: ['accounts', i, 'regions', region, 'queues', j, 'redrive', 'dead_letter_queue'],
              message: `no queue ${q.redrive.dead_letter_queue} in this account and region`,
            });
        });
        r.trails.forEach((t, j) => {
          if (t.organization && s.organization?.management_account !== a.id) {
            ctx.addIssue({
              code: 'custom',
              path: ['accounts', i, 'regions', region, 'trails', j, 'organization'],
              message: 'an organization trail must belong to organization.management_account',
            });
          }
          if (t.log_group?.startsWith('arn:') && !parseLogGroupArn(t.log_group)) {
            ctx.addIssue({
              code: 'custom',
              path: ['accounts', i, 'regions', region, 'trails', j, 'log_group'],
              message: 'not a log-group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*])',
            });
          }
        });
        r.log_groups.forEach((g, j) => {
          const seen = new Set<string>();
          g.metric_filters.forEach((f, k) => {
            if (seen.has(f.name))
              ctx.addIssue({
                code: 'custom',
                path: ['accounts', i, 'regions', region, 'log_groups', j, 'metric_filters', k, 'name'],
                message: `duplicate metric filter ${f.name}`,
              });
            seen.add(f.name);
          });
        });
      }
    });
    if (s.organization) checkOrganization(s.organization, ids, ctx);
  });

/** Every account the organization names is a scenario account and a member (or the management account). */
function checkOrganization(
  org: z.output<typeof organizationSchema>,
  ids: Set<string>,
  ctx: z.RefinementCtx,
): void {
  const inOrg = new Set([org.management_account, ...org.members]);
  const placed: string[] = [];
  const walk = (ous: ScenarioOu[]) => {
    for (const ou of ous) {
      placed.push(...ou.accounts);
      walk(ou.children);
    }
  };
  walk(org.organizational_units);
  const named = [...inOrg, ...org.delegated_administrators, ...org.suspended, ...placed];
  for (const id of new Set(named)) {
    if (!ids.has(id))
      ctx.addIssue({ code: 'custom', path: ['organization'], message: `account ${id} is not in accounts` });
    else if (!inOrg.has(id))
      ctx.addIssue({
        code: 'custom',
        path: ['organization'],
        message: `account ${id} is not the management account or a member`,
      });
  }
  if (new Set(placed).size !== placed.length)
    ctx.addIssue({
      code: 'custom',
      path: ['organization', 'organizational_units'],
      message: 'an account is in two OUs',
    });
}

/** A scenario as written (defaults optional). */
export type Scenario = z.input<typeof scenarioSchema>;
/** A validated scenario with every default filled in. */
export type ResolvedScenario = z.output<typeof scenarioSchema>;
export type ScenarioAccount = ResolvedScenario['accounts'][number];
export type ScenarioRegion = z.output<typeof regionSchema>;
export type ScenarioTrail = z.output<typeof trailSchema>;
export type ScenarioAlarm = z.output<typeof alarmSchema>;
export type ScenarioTopic = z.output<typeof topicSchema>;
export type { ScenarioEventRoute, ScenarioGenerate, ScenarioOrganization, ScenarioOu } from './scenario-org';
export type { ScenarioKmsKey, ScenarioQueue, ScenarioSecurityHub } from './scenario-services';

export function defaultAccessKeyId(account: string): string {
  return `AKIASB00${account}`;
}

export function parseLogGroupArn(
  arn: string,
): { region: string; accountId: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(:\*)?$/.exec(arn);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { region: m[1], accountId: m[2], name: m[3] };
}

/** Validates a scenario object; throws a ConfigError listing every problem with its path. */
export function parseScenario(doc: unknown, source = 'scenario'): ResolvedScenario {
  const result = scenarioSchema.safeParse(doc);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    return `  - ${path}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid sandbox scenario in ${source}:\n${lines.join('\n')}`);
}

/** Reads a scenario from a YAML file path, or from YAML text when the argument is not an existing file. */
export function loadScenario(pathOrYamlText: string): ResolvedScenario {
  const looksLikePath = !pathOrYamlText.includes('\n') && existsSync(pathOrYamlText);
  const text = looksLikePath ? readFileSync(pathOrYamlText, 'utf8') : pathOrYamlText;
  const source = looksLikePath ? pathOrYamlText : 'YAML text';
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`Invalid sandbox scenario in ${source}: YAML syntax: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof doc === 'string' && !looksLikePath && /\.(ya?ml|json)$/.test(pathOrYamlText.trim())) {
    throw new ConfigError(`Sandbox scenario file not found: ${pathOrYamlText}`);
  }
  return parseScenario(doc, source);
}
