/**
 * A remediation plan as an IaC document: exactly the plan's steps (the links it found missing), with the
 * same names and settings as the API calls the bot would make, and what those calls build on (the log
 * group, an existing topic) as inputs. Steps the planner left out because the link already holds are
 * absent from the plan, so they are absent here too. The plan's notes travel as the document's notes.
 *
 * A plan that is not offered for approval (guidance-only: a blocker no step resolves, or nothing to do)
 * is refused with IacExportRefused, whose message says what a person must do first: a template that
 * cannot make the chain hold, applied by a pipeline, would look like a fix and not be one.
 */
import { UsageError } from '../errors';
import { planKind, unresolvedBlockers } from '../remediation/plan-assembly';
import { CONFIRMED_BY_OWNER } from '../remediation/topic-steps';
import type { Guidance, Plan, PlanStep, PutMetricAlarmInput } from '../remediation/types';
import {
  type IacDocument,
  type Input,
  type MetricAlarm,
  type Output,
  type Resource,
  ref,
  type Str,
} from './model';

export class IacExportRefused extends UsageError {
  readonly reason: 'nothing-to-do' | 'guidance-only';
  /** What a person must do before a plan (and so a template) can be made. */
  readonly blockers: Guidance[];
  constructor(reason: 'nothing-to-do' | 'guidance-only', message: string, blockers: Guidance[]) {
    super(message);
    this.reason = reason;
    this.blockers = blockers;
  }
}

/** The ids of a plan's nodes: `cis-4-1-metric-filter`, `cis-4-1-topic`... (one export per control). */
export function planNodeIds(control: string) {
  const prefix = `cis-${control.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return {
    logGroup: `${prefix}-log-group`,
    filter: `${prefix}-metric-filter`,
    topic: `${prefix}-topic`,
    subscription: `${prefix}-subscription`,
    alarm: `${prefix}-alarm`,
    topicArnOutput: `${prefix}-topic-arn`,
    alarmArnOutput: `${prefix}-alarm-arn`,
  };
}

function refuse(plan: Plan): never {
  if (planKind(plan) === 'nothing-to-do') {
    throw new IacExportRefused(
      'nothing-to-do',
      `CIS ${plan.control} holds for account ${plan.accountId}: there is nothing to write as Terraform or CloudFormation.`,
      [],
    );
  }
  const blockers = unresolvedBlockers(plan);
  // What a person must do: the blockers, and a subscription waiting for its owner's confirmation.
  const todo = plan.guidance
    .filter((g) => g.severity !== 'note')
    .map((g) => `- ${g.title}: ${g.detail}${g.cli ? `\n  $ ${g.cli}` : ''}`);
  const why =
    plan.steps.length > 0
      ? 'its steps alone cannot make the chain hold'
      : 'cis-bot has no step to take for it';
  throw new IacExportRefused(
    'guidance-only',
    [
      `The CIS ${plan.control} plan for account ${plan.accountId} is not offered for approval, so cis-bot writes no template for it: ` +
        `${why} (${plan.finding.reason}).`,
      ...(todo.length > 0 ? ['Do this first, then ask for the plan again:', ...todo] : []),
    ].join('\n'),
    blockers,
  );
}

function alarmResource(
  id: string,
  region: string,
  input: PutMetricAlarmInput,
  action: (arn: string) => Str,
): Omit<MetricAlarm, 'comment' | 'replaces'> {
  return {
    kind: 'metric-alarm',
    id,
    region,
    name: input.AlarmName,
    metricName: input.MetricName,
    namespace: input.Namespace,
    statistic: input.Statistic,
    period: input.Period,
    threshold: input.Threshold,
    comparisonOperator: input.ComparisonOperator,
    evaluationPeriods: input.EvaluationPeriods,
    actionsEnabled: input.ActionsEnabled,
    alarmActions: input.AlarmActions.map(action),
    ...(input.OKActions ? { okActions: input.OKActions.map(action) } : {}),
    ...(input.InsufficientDataActions
      ? { insufficientDataActions: input.InsufficientDataActions.map(action) }
      : {}),
    ...(input.AlarmDescription !== undefined ? { description: input.AlarmDescription } : {}),
    ...(input.TreatMissingData !== undefined ? { treatMissingData: input.TreatMissingData } : {}),
    ...(input.Unit !== undefined ? { unit: input.Unit } : {}),
    ...(input.Dimensions
      ? { dimensions: input.Dimensions.map((d) => ({ name: d.Name, value: d.Value })) }
      : {}),
    ...(input.DatapointsToAlarm !== undefined ? { datapointsToAlarm: input.DatapointsToAlarm } : {}),
  };
}

function notesOf(plan: Plan): string[] {
  const t = plan.target;
  const notes = [
    `The ${plan.steps.length} step(s) of cis-bot's plan ${plan.hash.slice(0, 12)} (${plan.steps.map((s) => s.id).join(', ')}), ` +
      `as resources with the same names and settings; links that already hold are not repeated here.`,
  ];
  if (t.accountId !== plan.accountId) {
    notes.push(
      `Account ${plan.accountId}'s chain delivers to a log group of account ${t.accountId}: apply this with credentials of ${t.accountId}.`,
    );
  }
  const subscribe = plan.steps.find((s) => s.call.operation === 'Subscribe');
  if (
    subscribe?.call.operation === 'Subscribe' &&
    CONFIRMED_BY_OWNER.includes(subscribe.call.input.Protocol)
  ) {
    notes.push(
      `A ${subscribe.call.input.Protocol} subscription stays pending until its owner confirms it; neither Terraform nor CloudFormation can confirm it.`,
    );
  }
  for (const g of plan.guidance) notes.push(`${g.title}: ${g.detail}${g.cli ? ` ($ ${g.cli})` : ''}`);
  return notes;
}

/** The plan's steps as a document; throws IacExportRefused for a plan nobody can approve. */
export function planToIac(plan: Plan): IacDocument {
  if (planKind(plan) !== 'steps') refuse(plan);
  const t = plan.target;
  const ids = planNodeIds(plan.control);
  const topicArn = t.topicArn;
  const creates = (op: PlanStep['call']['operation']) => plan.steps.some((s) => s.call.operation === op);
  const inputs: Input[] = [];
  const resources: Resource[] = [];
  const outputs: Output[] = [];

  // The plan's topic: the resource when a step creates it, else an input by ARN (added on first use).
  const topic = (arn: string): Str => {
    if (arn !== topicArn) return arn;
    if (!creates('CreateTopic') && !inputs.some((i) => i.id === ids.topic)) {
      inputs.push({
        kind: 'existing-sns-topic',
        id: ids.topic,
        arn,
        description: 'The SNS topic the alarm notifies (it exists already)',
      });
    }
    return ref(ids.topic, 'arn');
  };

  for (const step of plan.steps) {
    const common = {
      region: t.region,
      comment: step.title,
      ...(step.replaces ? { replaces: { summary: step.replaces.summary } } : {}),
    };
    const call = step.call;
    switch (call.operation) {
      case 'PutMetricFilter':
        inputs.push({
          kind: 'existing-log-group',
          id: ids.logGroup,
          region: t.region,
          name: call.input.logGroupName,
          description: `The log group the trail delivers to${t.logGroupArn ? ` (${t.logGroupArn})` : ''}`,
        });
        resources.push({
          kind: 'log-metric-filter',
          id: ids.filter,
          ...common,
          name: call.input.filterName,
          logGroupName: ref(ids.logGroup, 'name'),
          pattern: call.input.filterPattern,
          metricTransformations: call.input.metricTransformations.map((m) => ({ ...m })),
        });
        break;
      case 'CreateTopic':
        resources.push({ kind: 'sns-topic', id: ids.topic, ...common, name: call.input.Name });
        outputs.push({
          id: ids.topicArnOutput,
          description: 'The ARN of the topic',
          value: ref(ids.topic, 'arn'),
        });
        break;
      case 'Subscribe':
        resources.push({
          kind: 'sns-subscription',
          id: ids.subscription,
          ...common,
          topicArn: topic(call.input.TopicArn),
          protocol: call.input.Protocol,
          endpoint: call.input.Endpoint,
        });
        break;
      case 'PutMetricAlarm':
        resources.push({ ...alarmResource(ids.alarm, t.region, call.input, topic), ...common });
        outputs.push({
          id: ids.alarmArnOutput,
          description: 'The ARN of the alarm',
          value: ref(ids.alarm, 'arn'),
        });
        break;
      default: {
        const unreachable: never = call;
        throw new Error(`a plan step the IaC export does not know: ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return {
    description: `CIS ${plan.control} (${plan.controlTitle}): the missing links of account ${plan.accountId}'s monitoring chain`,
    accountId: t.accountId,
    notes: notesOf(plan),
    // Data sources and parameters read in the order the plan uses them.
    inputs,
    resources,
    outputs,
  };
}
