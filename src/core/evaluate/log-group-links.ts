/**
 * The log group and metric-filter links: the trail's log group exists (and receives events), and one of
 * its metric filters catches every event of the control's pattern. Each covering filter x transformation
 * becomes a candidate chain handed to the alarm checks (alarm-links.ts); so does a filter a named
 * deviation accepts (its link a `warn` naming the exception); with none, the closest filter is named in
 * the failure.
 */

import type {
  LogGroupSnapshot,
  MetricFilter,
  MetricRef,
  MetricTransformation,
  TrailSnapshot,
} from '../snapshot';
import { type AcceptedBy, type AcceptedDeviation, patternHash } from './accepted-deviations';
import type { TrailStart } from './account-links';
import { alarmPaths } from './alarm-links';
import { type Ctx, metricLabel, type Path, q } from './chain-path';
import { type AcceptedReference, judgeForControl, referenceLabel } from './control-filter';
import { closeness, type FilterJudgement } from './filter-judge';
import type { ChainRef, LinkResult } from './findings';
import { errorLink, fail, pass, showEvent, warn } from './links';

/**
 * The log group's own link after the trail's (`prefix`): it exists and receives the trail's events. The
 * same for every control (trail-links.ts builds it once per account); `done` when the chain ends there.
 */
export function logGroupStart(
  prefix: LinkResult[],
  chain: ChainRef,
  lg: LogGroupSnapshot,
  ts: TrailSnapshot,
): TrailStart {
  const links = [...prefix];
  const where = logGroupWhere(lg);
  const lgEvidence = { logGroupArn: lg.ref.arn, accountId: lg.ref.accountId, region: lg.ref.region };
  if (!lg.filters.ok) {
    if (lg.filters.error.kind === 'not-found') {
      links.push(fail('log-group', `Log group ${where} does not exist.`, lgEvidence));
    } else {
      links.push(errorLink('log-group', lg.filters.error, `log group ${where}`, lgEvidence));
    }
    return { done: { links, chain } };
  }
  const deliveryError = ts.status?.ok ? ts.status.value.latestCloudWatchLogsDeliveryError : undefined;
  links.push(
    deliveryError
      ? warn(
          'log-group',
          `Log group ${where} exists, but CloudTrail reports a delivery error: ${deliveryError}.`,
          {
            ...lgEvidence,
            deliveryError,
          },
        )
      : pass('log-group', `Trail delivers to log group ${where}.`, lgEvidence),
  );
  return { links, chain, lg, filters: lg.filters.value };
}

const logGroupWhere = (lg: LogGroupSnapshot) =>
  `${lg.ref.name} (account ${lg.ref.accountId}, ${lg.ref.region})`;

/**
 * The control's own part of the chain after the log group link (`prefix`, from logGroupStart): its
 * covering filters (and those its named deviations accept), each handed to the alarm checks.
 */
export function filterPaths(
  ctx: Ctx,
  prefix: LinkResult[],
  chain: ChainRef,
  lg: LogGroupSnapshot,
  filters: readonly MetricFilter[],
): Path[] {
  const where = logGroupWhere(lg);
  const judged = filters.map((f) => {
    const { judgement, reference } = judgeForControl(f.pattern, ctx.control);
    return { filter: f, j: judgement, reference };
  });
  const covering = judged.filter((x) => x.j.covers && x.filter.transformations.length > 0);
  const accepted = acceptedFilters(ctx, judged);
  if (covering.length === 0 && accepted.length === 0) {
    return [{ links: [...prefix, noFilterLink(ctx, where, judged, lg)], chain }];
  }
  const paths: Path[] = [];
  const candidates: Array<Judged & { deviation?: AcceptedDeviation }> = [...covering, ...accepted];
  for (const candidate of candidates) {
    const { filter, deviation } = candidate;
    for (const tr of filter.transformations) {
      const metric: MetricRef = {
        accountId: lg.ref.accountId,
        region: lg.ref.region,
        name: tr.metricName,
        namespace: tr.metricNamespace,
      };
      const filterLink = deviation
        ? acceptedFilterLink(ctx, where, lg, candidate, deviation, metric, tr)
        : coveringFilterLink(ctx, candidate, metric, tr);
      paths.push(
        ...alarmPaths(
          ctx,
          [...prefix, filterLink],
          { ...chain, filterName: filter.name, filterPattern: filter.pattern, metric },
          tr,
        ),
      );
    }
  }
  return paths;
}

interface Judged {
  filter: MetricFilter;
  j: FilterJudgement;
  reference: AcceptedReference;
}

/** The filter link of a filter that covers the control's pattern (or a variant). */
function coveringFilterLink(
  ctx: Ctx,
  { filter, j, reference }: Judged,
  metric: MetricRef,
  tr: MetricTransformation,
): LinkResult {
  const what = referenceLabel(ctx.control.id, reference);
  const evidence = {
    filterName: filter.name,
    pattern: filter.pattern,
    reference: reference.pattern,
    ...(reference.variant !== undefined ? { variant: reference.variant } : {}),
    verdict: j.verdict,
    metric: metricLabel(metric),
    metricValue: tr.metricValue,
    ...(j.extra ? { extraExample: j.extra } : {}),
    ...(j.note ? { note: j.note } : {}),
  };
  return j.verdict === 'BROADER'
    ? warn(
        'metric-filter',
        `Filter ${q(filter.name)} catches every ${what} event and more (BROADER; e.g. ${showEvent(j.extra)}), so expect noise; metric ${metricLabel(metric)}.`,
        evidence,
      )
    : pass(
        'metric-filter',
        `Filter ${q(filter.name)} is equivalent to the ${what} pattern; metric ${metricLabel(metric)}.`,
        evidence,
      );
}

/**
 * The filters that do not cover the control but whose exact pattern a named deviation accepts: they
 * count as covering, so the chain after them is checked like any other.
 */
function acceptedFilters(
  ctx: Ctx,
  judged: readonly Judged[],
): Array<Judged & { deviation: AcceptedDeviation }> {
  const accepted = ctx.accepted ?? [];
  if (accepted.length === 0) return [];
  return judged.flatMap((x) => {
    if (x.j.covers || x.filter.transformations.length === 0) return [];
    const hash = patternHash(x.filter.pattern);
    const deviation = accepted.find((d) => d.filterPatternHash === hash);
    return deviation ? [{ ...x, deviation }] : [];
  });
}

/**
 * The filter link of a filter accepted by a named deviation: `warn` (it does not break the chain, but it
 * does miss CIS events and a person accepted that), naming the exception; `acceptedBy` in its evidence.
 */
function acceptedFilterLink(
  ctx: Ctx,
  where: string,
  lg: LogGroupSnapshot,
  { filter, j }: Judged,
  deviation: AcceptedDeviation,
  metric: MetricRef,
  tr: MetricTransformation,
): LinkResult {
  const { exception } = deviation;
  const acceptedBy: AcceptedBy = { exceptionId: exception.id, until: exception.until };
  return warn(
    'metric-filter',
    `Metric filter ${q(filter.name)} on log group ${where} does not catch every CIS ${ctx.control.id} event (${shortfall(j)}), but exception ${exception.id} accepts it as covering them until ${exception.until} (named deviation); metric ${metricLabel(metric)}.`,
    {
      logGroupArn: lg.ref.arn,
      filterName: filter.name,
      pattern: filter.pattern,
      reference: ctx.control.pattern,
      verdict: j.verdict,
      metric: metricLabel(metric),
      metricValue: tr.metricValue,
      ...(j.missed ? { missedExample: j.missed } : {}),
      ...(j.note ? { note: j.note } : {}),
      ...(j.rejection ? { rejection: j.rejection } : {}),
      acceptedBy,
    },
  );
}

/** Why a filter does not do the control's job, as a clause. */
function shortfall(j: FilterJudgement): string {
  if (j.rejection) return `it catches every event but ${j.rejection.detail}`;
  return j.verdict === 'SYNTAX_ERROR'
    ? `its pattern does not parse: ${j.note ?? 'syntax error'}`
    : j.verdict === 'UNKNOWN'
      ? `cis-bot cannot prove it catches every event (${j.note ?? 'UNKNOWN'})`
      : j.missed
        ? `${j.verdict}: it misses ${showEvent(j.missed)}`
        : `${j.verdict}`;
}

function noFilterLink(
  ctx: Ctx,
  where: string,
  judged: Array<{ filter: MetricFilter; j: FilterJudgement }>,
  lg: LogGroupSnapshot,
): LinkResult {
  const ranked = [...judged].sort((a, b) => closeness(b.j) - closeness(a.j));
  const evidence = {
    logGroupArn: lg.ref.arn,
    reference: ctx.control.pattern,
    filterCount: judged.length,
    filters: ranked.slice(0, 10).map(({ filter, j }) => ({
      filterName: filter.name,
      pattern: filter.pattern,
      verdict: j.verdict,
      ...(j.missed ? { missedExample: j.missed } : {}),
      ...(j.note ? { note: j.note } : {}),
      ...(j.rejection ? { rejection: j.rejection, ...(j.extra ? { extraExample: j.extra } : {}) } : {}),
    })),
  };
  const best = ranked[0];
  if (!best) return fail('metric-filter', `Log group ${where} has no metric filter.`, evidence);
  const { filter, j } = best;
  if (j.rejection) {
    // It catches every CIS event, but so much more that the alarm is useless (filter-judge.ts).
    return fail(
      'metric-filter',
      `Metric filter ${q(filter.name)} on log group ${where} catches every CIS ${ctx.control.id} event but ${j.rejection.detail}.`,
      evidence,
    );
  }
  const why = shortfall(j);
  const others = judged.length > 1 ? ` (${judged.length} filters checked)` : '';
  return fail(
    'metric-filter',
    `No metric filter on log group ${where} catches every CIS ${ctx.control.id} event${others}; closest is ${q(filter.name)}, ${why}.`,
    evidence,
  );
}
