/**
 * Each resource kind as Terraform blocks of the AWS provider (argument names as its documentation spells
 * them). Some kinds are more than one block: an EventBridge rule is `aws_cloudwatch_event_rule` plus one
 * `aws_cloudwatch_event_target` per target, a role is `aws_iam_role` plus one `aws_iam_role_policy` per
 * inline policy. JSON documents go through `jsonencode(...)`.
 */
import { type HclBlock, type HclBodyItem, type HclExpr, hcl } from './hcl';
import { commentLines, type Resource, type Str } from './model';
import { terraformName } from './names';
import type { TerraformContext } from './terraform';

type Optional = HclBodyItem | undefined;

const opt = <T>(value: T | undefined, item: (v: T) => HclBodyItem): Optional =>
  value === undefined ? undefined : item(value);

function block(type: string, label: string, body: Optional[], comment?: string[]): HclBlock {
  return {
    type: 'resource',
    labels: [type, label],
    body: body.filter((b): b is HclBodyItem => b !== undefined),
    ...(comment && comment.length > 0 ? { comment } : {}),
  };
}

export function terraformResourceBlocks(resource: Resource, ctx: TerraformContext): HclBlock[] {
  const label = terraformName(resource.id);
  const provider = ctx.provider(resource.region);
  const note = commentLines(resource);
  const strings = (values: readonly Str[]): HclExpr => hcl.list(values.map((v) => ctx.str(v)));
  switch (resource.kind) {
    case 'log-metric-filter':
      return [
        block(
          'aws_cloudwatch_log_metric_filter',
          label,
          [
            provider,
            hcl.attr('name', hcl.string(resource.name)),
            hcl.attr('log_group_name', ctx.str(resource.logGroupName)),
            hcl.attr('pattern', hcl.string(resource.pattern)),
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
          ],
          note,
        ),
      ];
    case 'sns-topic':
      return [block('aws_sns_topic', label, [provider, hcl.attr('name', hcl.string(resource.name))], note)];
    case 'sns-subscription':
      return [
        block(
          'aws_sns_topic_subscription',
          label,
          [
            provider,
            hcl.attr('topic_arn', ctx.str(resource.topicArn)),
            hcl.attr('protocol', hcl.string(resource.protocol)),
            hcl.attr('endpoint', ctx.str(resource.endpoint)),
          ],
          note,
        ),
      ];
    case 'metric-alarm':
      return [
        block(
          'aws_cloudwatch_metric_alarm',
          label,
          [
            provider,
            hcl.attr('alarm_name', hcl.string(resource.name)),
            opt(resource.description, (d) => hcl.attr('alarm_description', hcl.string(d))),
            hcl.attr('metric_name', hcl.string(resource.metricName)),
            hcl.attr('namespace', hcl.string(resource.namespace)),
            hcl.attr('statistic', hcl.string(resource.statistic)),
            hcl.attr('period', hcl.number(resource.period)),
            hcl.attr('threshold', hcl.number(resource.threshold)),
            hcl.attr('comparison_operator', hcl.string(resource.comparisonOperator)),
            hcl.attr('evaluation_periods', hcl.number(resource.evaluationPeriods)),
            opt(resource.datapointsToAlarm, (n) => hcl.attr('datapoints_to_alarm', hcl.number(n))),
            opt(resource.treatMissingData, (t) => hcl.attr('treat_missing_data', hcl.string(t))),
            opt(resource.unit, (u) => hcl.attr('unit', hcl.string(u))),
            opt(resource.dimensions, (dims) =>
              hcl.attr('dimensions', {
                t: 'object',
                entries: dims.map((d) => [d.name, hcl.string(d.value)]),
              }),
            ),
            hcl.attr('actions_enabled', hcl.bool(resource.actionsEnabled)),
            hcl.attr('alarm_actions', strings(resource.alarmActions)),
            opt(resource.okActions, (a) => hcl.attr('ok_actions', strings(a))),
            opt(resource.insufficientDataActions, (a) => hcl.attr('insufficient_data_actions', strings(a))),
          ],
          note,
        ),
      ];
    case 'event-rule': {
      const bus = opt(resource.eventBusName, (b) => hcl.attr('event_bus_name', hcl.string(b)));
      const rule = block(
        'aws_cloudwatch_event_rule',
        label,
        [
          provider,
          hcl.attr('name', hcl.string(resource.name)),
          opt(resource.description, (d) => hcl.attr('description', hcl.string(d))),
          bus,
          hcl.attr('event_pattern', ctx.json(resource.eventPattern)),
        ],
        note,
      );
      const targets = resource.targets.map((t, i) =>
        block('aws_cloudwatch_event_target', `${label}_target_${i + 1}`, [
          provider,
          hcl.attr('rule', hcl.reference(`${ctx.address(resource)}.name`)),
          bus,
          hcl.attr('target_id', hcl.string(t.id)),
          hcl.attr('arn', ctx.str(t.arn)),
          opt(t.roleArn, (r) => hcl.attr('role_arn', ctx.str(r))),
          opt(t.deadLetterArn, (d) => hcl.block('dead_letter_config', [], [hcl.attr('arn', ctx.str(d))])),
        ]),
      );
      return [rule, ...targets];
    }
    case 'sqs-queue':
      return [
        block(
          'aws_sqs_queue',
          label,
          [
            provider,
            hcl.attr('name', hcl.string(resource.name)),
            opt(resource.messageRetentionSeconds, (n) =>
              hcl.attr('message_retention_seconds', hcl.number(n)),
            ),
            opt(resource.visibilityTimeoutSeconds, (n) =>
              hcl.attr('visibility_timeout_seconds', hcl.number(n)),
            ),
            opt(resource.sqsManagedSse, (b) => hcl.attr('sqs_managed_sse_enabled', hcl.bool(b))),
            opt(resource.redrive, (r) =>
              hcl.attr(
                'redrive_policy',
                ctx.json({ deadLetterTargetArn: r.deadLetterQueueArn, maxReceiveCount: r.maxReceiveCount }),
              ),
            ),
          ],
          note,
        ),
      ];
    case 'sqs-queue-policy':
      return [
        block(
          'aws_sqs_queue_policy',
          label,
          [
            provider,
            hcl.attr('queue_url', ctx.str(resource.queueUrl)),
            hcl.attr('policy', ctx.json(resource.policy)),
          ],
          note,
        ),
      ];
    case 'iam-role': {
      const role = block(
        'aws_iam_role',
        label,
        [
          provider,
          hcl.attr('name', hcl.string(resource.name)),
          opt(resource.description, (d) => hcl.attr('description', hcl.string(d))),
          hcl.attr('assume_role_policy', ctx.json(resource.assumeRolePolicy)),
        ],
        note,
      );
      const policies = resource.inlinePolicies.map((p, i) =>
        block('aws_iam_role_policy', `${label}_policy_${i + 1}`, [
          provider,
          hcl.attr('name', hcl.string(p.name)),
          hcl.attr('role', hcl.reference(`${ctx.address(resource)}.id`)),
          hcl.attr('policy', ctx.json(p.policy)),
        ]),
      );
      return [role, ...policies];
    }
    case 'iam-managed-policy':
      return [
        block(
          'aws_iam_policy',
          label,
          [
            provider,
            hcl.attr('name', hcl.string(resource.name)),
            opt(resource.description, (d) => hcl.attr('description', hcl.string(d))),
            hcl.attr('policy', ctx.json(resource.policy)),
          ],
          note,
        ),
      ];
    default: {
      const unreachable: never = resource;
      throw new Error(`unknown resource kind ${JSON.stringify(unreachable)}`);
    }
  }
}
