/**
 * The alarm part of a plan: the bot's own alarm on the chain's metric, notifying the plan's topic
 * (created, or an explicit update of a same-named alarm that keeps its other actions and settings), and a
 * note when the chain's broken alarm is someone else's and left as it is.
 */
import type { LinkResult } from '../evaluate/findings';
import type { RemediationFacts } from '../ports/remediation-runtime';
import { type AccountSnapshot, type Alarm, logGroupKey } from '../snapshot';
import { putMetricAlarmCli } from './cli-text';
import type { FilterChoice } from './filter-step';
import { type PlanParts, q, type StepContext } from './plan-parts';
import { alarmSpecOf, alarmSpecOfInput, describeChanges, sameSpec } from './specs';
import type { PutMetricAlarmInput } from './types';

/** Most actions an alarm state may have (AWS limit). */
const MAX_ACTIONS = 5;

function findAlarm(snapshot: AccountSnapshot, facts: RemediationFacts, name: string): Alarm | null | 'error' {
  const probed = facts.alarms[name];
  if (probed) return probed.ok ? probed.value : 'error';
  for (const ma of Object.values(snapshot.metricAlarms)) {
    if (!ma.alarms.ok) continue;
    const hit = ma.alarms.value.find((a) => a.name === name);
    if (hit) return hit;
  }
  return null;
}

/** The dimension names and unit the chain's filter emits its metric with (undefined: not known). */
interface Emitted {
  dimensions: string[] | undefined;
  unit?: string;
}

function emittedBy(
  snapshot: AccountSnapshot,
  logGroupArn: string,
  filterName: string,
  metric: { name: string; namespace: string },
): Emitted {
  const filters = snapshot.logGroups[logGroupKey(logGroupArn)]?.filters;
  const t = (filters?.ok ? filters.value : [])
    .find((f) => f.name === filterName)
    ?.transformations.find((x) => x.metricName === metric.name && x.metricNamespace === metric.namespace);
  if (!t) return { dimensions: undefined };
  return { dimensions: Object.keys(t.dimensions).sort(), ...(t.unit !== undefined ? { unit: t.unit } : {}) };
}

/**
 * What an alarm being replaced keeps: PutMetricAlarm replaces the whole alarm and resets every setting it
 * is not given, so everything the CIS alarm does not need changed is passed again: its description,
 * TreatMissingData, OK and INSUFFICIENT_DATA actions, and its dimensions and unit as long as they still
 * match the metric the filter emits (otherwise the alarm would never see it, and they are dropped).
 * DatapointsToAlarm is not carried: with one evaluation period it can only be 1. Every difference shows
 * in the step's "replaces ..." summary, and the executor refuses if the alarm is not as planned.
 */
function carriedOver(current: Alarm | null, emitted: Emitted): Partial<PutMetricAlarmInput> {
  if (!current) return {};
  const dimsMatch =
    emitted.dimensions !== undefined &&
    current.dimensions.length === emitted.dimensions.length &&
    current.dimensions
      .map((d) => d.name)
      .sort()
      .join('\n') === emitted.dimensions.join('\n');
  // Only when the filter is known (its dimensions read): a filter without a unit emits `None`.
  const unitMatches =
    current.unit !== undefined &&
    emitted.dimensions !== undefined &&
    current.unit === (emitted.unit ?? 'None');
  return {
    ...(current.description !== undefined ? { AlarmDescription: current.description } : {}),
    ...(current.treatMissingData !== undefined ? { TreatMissingData: current.treatMissingData } : {}),
    ...(unitMatches && current.unit !== undefined ? { Unit: current.unit } : {}),
    ...(dimsMatch && current.dimensions.length > 0
      ? { Dimensions: current.dimensions.map((d) => ({ Name: d.name, Value: d.value })) }
      : {}),
  };
}

/** The alarm step, if the alarm is not already as wanted, and its notes; `alarmName` is the bot's own. */
export function alarmStep(
  ctx: StepContext,
  out: PlanParts,
  { filterName, metric }: FilterChoice,
  alarmName: string,
  brokenLink: LinkResult | undefined,
): void {
  const { control, finding, snapshot, facts, loc, topicName } = ctx;
  const { steps, guidance } = out;
  // What the chain's filter emits (the alarm must watch exactly that): the bot's own filter emits the
  // metric without dimensions or unit; a reused filter is looked up in the snapshot.
  const emitted: Emitted =
    loc.broken === 'metric-filter'
      ? { dimensions: [] }
      : emittedBy(snapshot, loc.logGroupArn, filterName, metric);
  const existing = findAlarm(snapshot, facts, alarmName);
  if (existing === 'error') {
    guidance.push({
      link: 'alarm',
      severity: 'note',
      title: `Could not check for an existing alarm ${q(alarmName)}`,
      detail:
        'cloudwatch:DescribeAlarms failed while planning; the executor checks again before writing and stops rather than overwrite an alarm it did not plan to replace.',
      iamAction: 'cloudwatch:DescribeAlarms',
    });
  }
  const current = existing === 'error' ? null : existing;
  const actions = [loc.topicArn, ...(current?.alarmActions ?? []).filter((a) => a !== loc.topicArn)].slice(
    0,
    MAX_ACTIONS,
  );
  const input: PutMetricAlarmInput = {
    ...carriedOver(current, emitted),
    AlarmName: alarmName,
    MetricName: metric.name,
    Namespace: metric.namespace,
    Statistic: 'Sum',
    Period: control.defaults.period,
    Threshold: control.defaults.threshold,
    ComparisonOperator: control.defaults.comparisonOperator,
    EvaluationPeriods: control.defaults.evaluationPeriods,
    ActionsEnabled: true,
    AlarmActions: actions,
    ...(current?.okActions.length ? { OKActions: [...current.okActions] } : {}),
    ...(current?.insufficientDataActions.length
      ? { InsufficientDataActions: [...current.insufficientDataActions] }
      : {}),
  };
  const desired = alarmSpecOfInput(input);
  const previous = current ? alarmSpecOf(current) : undefined;
  if (!previous || !sameSpec(previous, desired)) {
    const summary = previous
      ? `replaces existing alarm ${q(alarmName)} (${describeChanges(previous, desired)})`
      : '';
    steps.push({
      id: 'alarm',
      title: previous
        ? `Update alarm ${q(alarmName)}: ${summary}`
        : `Create alarm ${q(alarmName)} on ${metric.namespace}/${metric.name} notifying ${topicName}`,
      call: { service: 'cloudwatch', operation: 'PutMetricAlarm', input },
      cli: putMetricAlarmCli(input, loc.region),
      iamAction: 'cloudwatch:PutMetricAlarm',
      precondition: previous
        ? `Alarm ${q(alarmName)} in ${loc.region} still has the settings seen when planning; if it changed, the step stops without writing.`
        : `No alarm named ${q(alarmName)} exists in account ${loc.accountId}, ${loc.region} (one with exactly these settings is kept, and the step skipped).`,
      ...(previous ? { replaces: { kind: 'alarm', name: alarmName, previous, summary } } : {}),
    });
  }
  const chainAlarm = finding.chain.alarmName;
  if (chainAlarm && chainAlarm !== alarmName) {
    guidance.push({
      link: 'alarm',
      severity: 'note',
      title: `Alarm ${q(chainAlarm)} is left unchanged`,
      detail: `The chain's alarm ${q(chainAlarm)} is broken (${brokenLink?.detail ?? 'see the finding'}); cis-bot adds its own alarm ${q(alarmName)} instead of changing someone else's. Delete ${q(chainAlarm)} if it is no longer wanted.`,
    });
  }
}
