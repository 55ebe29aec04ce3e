/**
 * The alarm link: an alarm watches the filter's metric (with no dimension split), has its actions
 * enabled, and fires on one matching event. Each usable alarm becomes a candidate chain handed to the
 * topic checks (topic-links.ts).
 */

import { type Alarm, type MetricRef, type MetricTransformation, metricKey } from '../snapshot';
import { type Ctx, metricLabel, notRead, type Path, q } from './chain-path';
import type { ChainRef, LinkResult } from './findings';
import { dimensionsMatch, errorLink, fail, firesOnOneEvent, pass, warn } from './links';
import { topicPaths } from './topic-links';

export function alarmPaths(
  ctx: Ctx,
  prefix: LinkResult[],
  chain: ChainRef,
  tr: MetricTransformation,
): Path[] {
  const metric = chain.metric as MetricRef;
  const ma = ctx.snap.metricAlarms[metricKey(metric)];
  const where = `metric ${metricLabel(metric)} (account ${metric.accountId}, ${metric.region})`;
  // Certain whatever the alarms are (or whether they could be read): no alarm sees every event.
  if (Object.keys(tr.dimensions).length > 0) {
    const seen = ma?.alarms.ok ? ma.alarms.value : [];
    return [{ links: [...prefix, dimensionsLink(chain, metric, tr, seen)], chain }];
  }
  if (!ma)
    return [
      { links: [...prefix, errorLink('alarm', notRead('cloudwatch:DescribeAlarmsForMetric'), where)], chain },
    ];
  if (!ma.alarms.ok)
    return [{ links: [...prefix, errorLink('alarm', ma.alarms.error, where, { metric })], chain }];
  // DescribeAlarmsForMetric already filters by name and namespace; checking again costs nothing and
  // guards against an endpoint that matches by name only (the peers' bug).
  const alarms = ma.alarms.value.filter(
    (a) =>
      (a.metricName ?? metric.name) === metric.name && (a.namespace ?? metric.namespace) === metric.namespace,
  );
  if (alarms.length === 0) {
    return [{ links: [...prefix, fail('alarm', `No CloudWatch alarm on ${where}.`, { metric })], chain }];
  }
  const paths: Path[] = [];
  for (const alarm of alarms) {
    const alarmChain: ChainRef = { ...chain, alarmName: alarm.name, alarmArn: alarm.arn };
    if (!alarm.actionsEnabled) {
      paths.push({
        links: [
          ...prefix,
          fail(
            'alarm',
            `Alarm ${q(alarm.name)} on ${metricLabel(metric)} has its actions disabled (ActionsEnabled=false).`,
            alarmEvidence(alarm),
          ),
        ],
        chain: alarmChain,
      });
      continue;
    }
    if (!dimensionsMatch(alarm, tr)) {
      // The filter emits no dimension (checked above): an alarm with dimensions watches a metric that
      // never gets a datapoint.
      const watched = alarm.dimensions.map((d) => `${d.name}=${d.value}`).join(', ');
      paths.push({
        links: [
          ...prefix,
          fail(
            'alarm',
            `Alarm ${q(alarm.name)} watches dimensions [${watched}] but the filter emits none: it never sees the metric.`,
            alarmEvidence(alarm),
          ),
        ],
        chain: alarmChain,
      });
      continue;
    }
    const firing = firesOnOneEvent(alarm, tr.metricValue, tr.defaultValue);
    const evidence = {
      ...alarmEvidence(alarm),
      metricValue: tr.metricValue,
      ...(tr.defaultValue !== undefined ? { defaultValue: tr.defaultValue } : {}),
      firesOnOneEvent: firing.firing,
    };
    const label = `Alarm ${q(alarm.name)} on ${metricLabel(metric)}`;
    const alarmLink =
      firing.firing === 'fires'
        ? pass('alarm', `${label}, actions enabled.`, evidence)
        : firing.firing === 'never'
          ? fail('alarm', `${label} can never fire on a single matching event: ${firing.why}.`, evidence)
          : warn('alarm', `${label} is enabled, but ${firing.why}.`, evidence);
    if (alarmLink.status === 'fail') {
      paths.push({ links: [...prefix, alarmLink], chain: alarmChain });
      continue;
    }
    paths.push(...topicPaths(ctx, [...prefix, alarmLink], alarmChain, alarm, metric));
  }
  return paths;
}

/**
 * A filter that emits dimensions (per-event values such as `{UserName: $.userIdentity.userName}`) splits
 * its metric into one metric per combination of values: an alarm watches one combination and sees only
 * the events that carry it, so no alarm sees every unauthorized call.
 */
function dimensionsLink(chain: ChainRef, metric: MetricRef, tr: MetricTransformation, alarms: Alarm[]) {
  const names = Object.keys(tr.dimensions);
  const emitted = Object.entries(tr.dimensions)
    .map(([name, value]) => `${name} (${value})`)
    .join(', ');
  const watching = alarms.map(
    (a) =>
      `${q(a.name)} watches ${a.dimensions.length ? a.dimensions.map((d) => `${d.name}=${d.value}`).join(', ') : 'no dimension'}`,
  );
  const one = names.length === 1 && names[0] === 'UserName' ? "one user's" : `one ${names.join('/')} value's`;
  const seen = watching.length ? ` (alarm ${watching.join('; ')})` : '';
  return fail(
    'alarm',
    `Filter ${q(chain.filterName ?? '?')} emits dimension${names.length > 1 ? 's' : ''} ${emitted} on ${metricLabel(metric)}, so an alarm sees ${one} calls only${seen}; remove the dimensions from the metric filter.`,
    {
      metric,
      filterName: chain.filterName ?? null,
      filterDimensions: tr.dimensions,
      alarms: alarms.map((a) => ({ alarmName: a.name, dimensions: a.dimensions })),
    },
  );
}

function alarmEvidence(alarm: Alarm) {
  return {
    alarmName: alarm.name,
    alarmArn: alarm.arn,
    metricName: alarm.metricName ?? null,
    namespace: alarm.namespace ?? null,
    actionsEnabled: alarm.actionsEnabled,
    statistic: alarm.statistic ?? alarm.extendedStatistic ?? null,
    period: alarm.period ?? null,
    threshold: alarm.threshold ?? null,
    comparisonOperator: alarm.comparisonOperator ?? null,
    evaluationPeriods: alarm.evaluationPeriods ?? null,
    datapointsToAlarm: alarm.datapointsToAlarm ?? null,
    treatMissingData: alarm.treatMissingData ?? null,
    dimensions: alarm.dimensions,
    alarmActions: alarm.alarmActions,
  };
}
