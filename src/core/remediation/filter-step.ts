/**
 * The metric-filter part of a plan: for a broken filter link, the bot's own filter (created, or an
 * explicit replacement of a same-named one) plus notes on other filters feeding the same metric; for a
 * later broken link, the chain's filter and metric are reused as they are.
 */
import { logGroupKey, type MetricFilter } from '../snapshot';
import { putMetricFilterCli, shellQuote } from './cli-text';
import { type MetricName, type PlanParts, q, type StepContext } from './plan-parts';
import { describeChanges, filterSpecOf, filterSpecOfInput, sameSpec } from './specs';
import type { PutMetricFilterInput } from './types';

/** The filter and metric the chain's alarm is to watch. */
export interface FilterChoice {
  filterName: string;
  metric: MetricName;
}

/** The filter step, if any; undefined when the chain's metric is unknown (a blocker is filed). */
export function filterStep(ctx: StepContext, out: PlanParts): FilterChoice | undefined {
  const { control, finding, snapshot, loc, names } = ctx;
  const { steps, guidance } = out;
  if (loc.broken === 'metric-filter') {
    const lgWhere = `${loc.logGroupName} (account ${loc.accountId}, ${loc.region})`;
    const filterName = names.filterName;
    const metric: MetricName = { name: names.metricName, namespace: names.metricNamespace };
    const lgSnap = snapshot.logGroups[logGroupKey(loc.logGroupArn)];
    const filters: MetricFilter[] = lgSnap?.filters.ok ? lgSnap.filters.value : [];
    const input: PutMetricFilterInput = {
      logGroupName: loc.logGroupName,
      filterName,
      filterPattern: control.pattern,
      metricTransformations: [
        { metricName: metric.name, metricNamespace: metric.namespace, metricValue: names.metricValue },
      ],
    };
    const desired = filterSpecOfInput(input);
    const existing = filters.find((f) => f.name === filterName);
    if (!existing || !sameSpec(filterSpecOf(existing), desired)) {
      const previous = existing ? filterSpecOf(existing) : undefined;
      const summary = previous
        ? `replaces existing filter ${q(filterName)} (pattern ${existing?.pattern ?? ''}; ${describeChanges(previous, desired)})`
        : '';
      steps.push({
        id: 'metric-filter',
        title: previous
          ? `Replace metric filter ${q(filterName)} on log group ${loc.logGroupName}: ${summary}`
          : `Create metric filter ${q(filterName)} on log group ${loc.logGroupName} (metric ${metric.namespace}/${metric.name})`,
        call: { service: 'logs', operation: 'PutMetricFilter', input },
        cli: putMetricFilterCli(input, loc.region),
        iamAction: 'logs:PutMetricFilter',
        precondition: previous
          ? `Log group ${lgWhere} exists and its filter ${q(filterName)} still has the content seen when planning; if it changed, the step stops without writing.`
          : `Log group ${lgWhere} exists and has no metric filter named ${q(filterName)} (one with exactly this pattern and metric is kept, and the step skipped).`,
        ...(previous && existing
          ? { replaces: { kind: 'metric-filter', name: filterName, previous, summary } }
          : {}),
      });
    }
    for (const other of filters) {
      if (other.name === filterName) continue;
      if (
        other.transformations.some(
          (t) => t.metricName === metric.name && t.metricNamespace === metric.namespace,
        )
      ) {
        guidance.push({
          link: 'metric-filter',
          severity: 'note',
          title: `Filter ${q(other.name)} also feeds metric ${metric.namespace}/${metric.name}`,
          detail: `Filter ${q(other.name)} (pattern ${other.pattern}) does not catch every CIS ${control.id} event but emits the same metric, so its matches also count towards the alarm. cis-bot leaves it as it is; delete it if it is not wanted.`,
          cli: `aws logs delete-metric-filter --log-group-name ${shellQuote(loc.logGroupName)} --filter-name ${shellQuote(other.name)} --region ${loc.region}`,
          iamAction: 'logs:DeleteMetricFilter',
        });
      }
    }
    return { filterName, metric };
  }
  const m = finding.chain.metric;
  const filterName = finding.chain.filterName ?? names.filterName;
  if (!m) {
    guidance.push({
      link: loc.broken,
      severity: 'blocker',
      title: 'Cannot tell which metric the chain uses',
      detail: 'The finding names no metric for its filter; audit again.',
    });
    return undefined;
  }
  return { filterName, metric: { name: m.name, namespace: m.namespace } };
}
