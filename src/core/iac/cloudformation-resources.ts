/**
 * Each resource kind as a CloudFormation resource (type and properties as the CloudFormation resource
 * reference spells them). Values go through the template's context, which turns references into long-form
 * intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Sub`) or literals; JSON documents (event patterns, policies) stay
 * nested objects, as CloudFormation accepts them.
 */
import type { JsonValue, Resource, Str } from './model';

/** A CloudFormation value: plain JSON, intrinsics included. */
export type CfnValue = null | boolean | number | string | CfnValue[] | { [key: string]: CfnValue };

export interface CloudFormationContext {
  str(value: Str): CfnValue;
  json(value: JsonValue): CfnValue;
}

export interface CfnResource {
  Type: string;
  Properties: { [key: string]: CfnValue };
}

/** Keeps only the properties that are set (CloudFormation rejects explicit nulls for most of them). */
function props(entries: Record<string, CfnValue | undefined>): { [key: string]: CfnValue } {
  const out: { [key: string]: CfnValue } = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v;
  return out;
}

export function cloudFormationResource(resource: Resource, ctx: CloudFormationContext): CfnResource {
  const list = (values: readonly Str[] | undefined) => values?.map((v) => ctx.str(v));
  switch (resource.kind) {
    case 'log-metric-filter':
      return {
        Type: 'AWS::Logs::MetricFilter',
        Properties: {
          FilterName: resource.name,
          LogGroupName: ctx.str(resource.logGroupName),
          FilterPattern: resource.pattern,
          MetricTransformations: resource.metricTransformations.map((t) => ({
            MetricName: t.metricName,
            MetricNamespace: t.metricNamespace,
            MetricValue: t.metricValue,
          })),
        },
      };
    case 'sns-topic':
      return { Type: 'AWS::SNS::Topic', Properties: { TopicName: resource.name } };
    case 'sns-subscription':
      return {
        Type: 'AWS::SNS::Subscription',
        Properties: {
          TopicArn: ctx.str(resource.topicArn),
          Protocol: resource.protocol,
          Endpoint: ctx.str(resource.endpoint),
        },
      };
    case 'metric-alarm':
      return {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: props({
          AlarmName: resource.name,
          AlarmDescription: resource.description,
          MetricName: resource.metricName,
          Namespace: resource.namespace,
          Statistic: resource.statistic,
          Period: resource.period,
          Threshold: resource.threshold,
          ComparisonOperator: resource.comparisonOperator,
          EvaluationPeriods: resource.evaluationPeriods,
          DatapointsToAlarm: resource.datapointsToAlarm,
          TreatMissingData: resource.treatMissingData,
          Unit: resource.unit,
          Dimensions: resource.dimensions?.map((d) => ({ Name: d.name, Value: d.value })),
          ActionsEnabled: resource.actionsEnabled,
          AlarmActions: list(resource.alarmActions),
          OKActions: list(resource.okActions),
          InsufficientDataActions: list(resource.insufficientDataActions),
        }),
      };
    case 'event-rule':
      return {
        Type: 'AWS::Events::Rule',
        Properties: props({
          Name: resource.name,
          Description: resource.description,
          EventBusName: resource.eventBusName,
          EventPattern: ctx.json(resource.eventPattern),
          State: 'ENABLED',
          Targets: resource.targets.map((t) =>
            props({
              Id: t.id,
              Arn: ctx.str(t.arn),
              RoleArn: t.roleArn === undefined ? undefined : ctx.str(t.roleArn),
              DeadLetterConfig: t.deadLetterArn === undefined ? undefined : { Arn: ctx.str(t.deadLetterArn) },
            }),
          ),
        }),
      };
    case 'sqs-queue':
      return {
        Type: 'AWS::SQS::Queue',
        Properties: props({
          QueueName: resource.name,
          MessageRetentionPeriod: resource.messageRetentionSeconds,
          VisibilityTimeout: resource.visibilityTimeoutSeconds,
          SqsManagedSseEnabled: resource.sqsManagedSse,
          RedrivePolicy:
            resource.redrive === undefined
              ? undefined
              : {
                  deadLetterTargetArn: ctx.str(resource.redrive.deadLetterQueueArn),
                  maxReceiveCount: resource.redrive.maxReceiveCount,
                },
        }),
      };
    case 'sqs-queue-policy':
      return {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: { Queues: [ctx.str(resource.queueUrl)], PolicyDocument: ctx.json(resource.policy) },
      };
    case 'iam-role':
      return {
        Type: 'AWS::IAM::Role',
        Properties: props({
          RoleName: resource.name,
          Description: resource.description,
          AssumeRolePolicyDocument: ctx.json(resource.assumeRolePolicy),
          Policies:
            resource.inlinePolicies.length === 0
              ? undefined
              : resource.inlinePolicies.map((p) => ({
                  PolicyName: p.name,
                  PolicyDocument: ctx.json(p.policy),
                })),
        }),
      };
    case 'iam-managed-policy':
      return {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: props({
          ManagedPolicyName: resource.name,
          Description: resource.description,
          PolicyDocument: ctx.json(resource.policy),
        }),
      };
    default: {
      const unreachable: never = resource;
      throw new Error(`unknown resource kind ${JSON.stringify(unreachable)}`);
    }
  }
}

/** What `aws cloudformation` needs to import an existing resource: its type's primary identifier. */
export function importIdentifier(
  resource: Resource,
  logGroupName: string | undefined,
): Record<string, string> | undefined {
  if (resource.kind === 'metric-alarm') return { AlarmName: resource.name };
  if (resource.kind === 'log-metric-filter' && logGroupName !== undefined) {
    return { LogGroupName: logGroupName, FilterName: resource.name };
  }
  return undefined;
}
