/**
 * Each resource kind as Terraform blocks of the AWS provider (argument names as its documentation spells
 * them). Some kinds are more than one block: an EventBridge rule is `aws_cloudwatch_event_rule` plus one
 * `aws_cloudwatch_event_target` per target, a role is `aws_iam_role` plus one `aws_iam_role_policy` per
 * inline policy. JSON documents go through `jsonencode(...)`. Unset optional settings are left out.
 */
import { type HclBlock, type HclBodyItem, type HclExpr, hcl } from './hcl';
import { commentLines, type JsonValue, type Resource, type Str } from './model';
import { terraformName } from './names';

type Item = HclBodyItem | undefined;

function block(type: string, label: string, body: Item[], comment: string[] = []): HclBlock {
  return {
    type: 'resource',
    labels: [type, label],
    body: body.filter((b): b is HclBodyItem => b !== undefined),
    ...(comment.length > 0 ? { comment } : {}),
  };
}

/** Attribute builders that skip unset values. */
/** How a resource writer turns model values into HCL expressions. */
export interface TerraformContext {
  str(value: Str): HclExpr;
  /** `jsonencode({...})` of a JSON document, references included. */
  json(value: JsonValue): HclExpr;
  /** The `provider = aws.<alias>` line every block carries. */
  provider(region: string): HclBodyItem;
  /** The reference to a resource of this document: `aws_sqs_queue.events.arn`. */
  address(resource: Resource): string;
}

function attributes(ctx: TerraformContext) {
  const set =
    <T>(make: (value: T) => HclExpr) =>
    (name: string, value: T | undefined): Item =>
      value === undefined ? undefined : hcl.attr(name, make(value));
  return {
    text: set<string>(hcl.string),
    number: set<number>(hcl.number),
    bool: set<boolean>(hcl.bool),
    str: set<Str>((v) => ctx.str(v)),
    strs: set<readonly Str[]>((vs) => hcl.list(vs.map((v) => ctx.str(v)))),
    json: set<JsonValue>((v) => ctx.json(v)),
    reference: set<string>(hcl.reference),
  };
}

export function terraformResourceBlocks(resource: Resource, ctx: TerraformContext): HclBlock[] {
  const label = terraformName(resource.id);
  const provider = ctx.provider(resource.region);
  const a = attributes(ctx);
  /** The resource's own block: its provider first, the comment above. */
  const main = (type: string, body: Item[]) =>
    block(type, label, [provider, ...body], commentLines(resource));
  switch (resource.kind) {
    case 'log-metric-filter':
      return [
        main('aws_cloudwatch_log_metric_filter', [
          a.text('name', resource.name),
          a.str('log_group_name', resource.logGroupName),
          a.text('pattern', resource.pattern),
          ...resource.metricTransformations.map((t) =>
            hcl.block(
              'metric_transformation',
              [],
              [
                hcl.attr('name', hcl.string(t.metricName)),
                hcl.attr('namespace', hcl.string(t.metricNamespace)),
                hcl.attr('value', hcl.string(t.metricValue)),
              ],
            ),
          ),
        ]),
      ];
    case 'sns-topic':
      return [main('aws_sns_topic', [a.text('name', resource.name)])];
    case 'sns-subscription':
      return [
        main('aws_sns_topic_subscription', [
          a.str('topic_arn', resource.topicArn),
          a.text('protocol', resource.protocol),
          a.str('endpoint', resource.endpoint),
        ]),
      ];
    case 'metric-alarm':
      return [
        main('aws_cloudwatch_metric_alarm', [
          a.text('alarm_name', resource.name),
          a.text('alarm_description', resource.description),
          a.text('metric_name', resource.metricName),
          a.text('namespace', resource.namespace),
          a.text('statistic', resource.statistic),
          a.number('period', resource.period),
          a.number('threshold', resource.threshold),
          a.text('comparison_operator', resource.comparisonOperator),
          a.number('evaluation_periods', resource.evaluationPeriods),
          a.number('datapoints_to_alarm', resource.datapointsToAlarm),
          a.text('treat_missing_data', resource.treatMissingData),
          a.text('unit', resource.unit),
          resource.dimensions &&
            hcl.attr('dimensions', {
              t: 'object',
              entries: resource.dimensions.map((d) => [d.name, hcl.string(d.value)]),
            }),
          a.bool('actions_enabled', resource.actionsEnabled),
          a.strs('alarm_actions', resource.alarmActions),
          a.strs('ok_actions', resource.okActions),
          a.strs('insufficient_data_actions', resource.insufficientDataActions),
        ]),
      ];
    case 'event-rule': {
      const bus = a.text('event_bus_name', resource.eventBusName);
      const rule = main('aws_cloudwatch_event_rule', [
        a.text('name', resource.name),
        a.text('description', resource.description),
        bus,
        a.json('event_pattern', resource.eventPattern),
      ]);
      const targets = resource.targets.map((t, i) =>
        block('aws_cloudwatch_event_target', `${label}_target_${i + 1}`, [
          provider,
          a.reference('rule', `${ctx.address(resource)}.name`),
          bus,
          a.text('target_id', t.id),
          a.str('arn', t.arn),
          a.str('role_arn', t.roleArn),
          t.deadLetterArn === undefined
            ? undefined
            : hcl.block('dead_letter_config', [], [hcl.attr('arn', ctx.str(t.deadLetterArn))]),
        ]),
      );
      return [rule, ...targets];
    }
    case 'sqs-queue': {
      const redrive = resource.redrive;
      return [
        main('aws_sqs_queue', [
          a.text('name', resource.name),
          a.number('message_retention_seconds', resource.messageRetentionSeconds),
          a.number('visibility_timeout_seconds', resource.visibilityTimeoutSeconds),
          a.bool('sqs_managed_sse_enabled', resource.sqsManagedSse),
          a.json(
            'redrive_policy',
            redrive && {
              deadLetterTargetArn: redrive.deadLetterQueueArn,
              maxReceiveCount: redrive.maxReceiveCount,
            },
          ),
        ]),
      ];
    }
    case 'sqs-queue-policy':
      return [
        main('aws_sqs_queue_policy', [
          a.str('queue_url', resource.queueUrl),
          a.json('policy', resource.policy),
        ]),
      ];
    case 'iam-role': {
      const role = main('aws_iam_role', [
        a.text('name', resource.name),
        a.text('description', resource.description),
        a.json('assume_role_policy', resource.assumeRolePolicy),
      ]);
      const policies = resource.inlinePolicies.map((p, i) =>
        block('aws_iam_role_policy', `${label}_policy_${i + 1}`, [
          provider,
          a.text('name', p.name),
          a.reference('role', `${ctx.address(resource)}.id`),
          a.json('policy', p.policy),
        ]),
      );
      return [role, ...policies];
    }
    case 'iam-managed-policy':
      return [
        main('aws_iam_policy', [
          a.text('name', resource.name),
          a.text('description', resource.description),
          a.json('policy', resource.policy),
        ]),
      ];
    default: {
      const unreachable: never = resource;
      throw new Error(`unknown resource kind ${JSON.stringify(unreachable)}`);
    }
  }
}
