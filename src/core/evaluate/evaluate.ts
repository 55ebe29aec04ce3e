/**
 * The pure evaluation of one account's snapshot against a chain control: enumerate every candidate chain
 * (trail x covering filter x alarm x topic), evaluate its links in order, pick the best chain, and report
 * its first broken link as the reason. A chain with a `fail` link is definitely broken; one with only
 * `error` links might hold, so it ranks above every failing chain and makes the account ERROR (an
 * AccessDenied is never a pass, nor a confident "non-compliant").
 */

import type { Control } from '../controls/types';
import {
  type AccountSnapshot,
  type Alarm,
  type LogGroupSnapshot,
  logGroupKey,
  type MetricFilter,
  type MetricRef,
  type MetricTransformation,
  metricKey,
  type ProbeError,
  parseTopicArn,
  type Trail,
  type TrailSnapshot,
} from '../snapshot';
import { displayEndpoint } from './endpoint-display';
import { closeness, judgeFilter } from './filter-judge';
import type { AccountFinding, AccountStatus, ChainRef, LinkName, LinkResult } from './findings';
import { dimensionsMatch, errorLink, fail, firesOnOneEvent, pass, showEvent, warn } from './links';
import { managementCoverage } from './management-events';
import { cloudWatchCanPublish } from './topic-policy';

interface Path {
  links: LinkResult[];
  chain: ChainRef;
}

interface Ctx {
  control: Control;
  snap: AccountSnapshot;
}

const q = (name: string) => `'${name}'`;

function metricLabel(m: MetricRef): string {
  return `${m.namespace}/${m.name}`;
}

// --- trail, logging, management events -----------------------------------------------------------------

function trailPaths(ctx: Ctx, ts: TrailSnapshot): Path[] {
  const t = ts.trail;
  const chain: ChainRef = { trailArn: t.arn, trailName: t.name, trailHomeRegion: t.homeRegion };
  const trailEvidence = {
    trailArn: t.arn,
    homeRegion: t.homeRegion,
    multiRegion: t.isMultiRegion,
    organizationTrail: t.isOrganizationTrail,
    logGroupArn: t.logGroupArn ?? null,
  };
  if (!t.isMultiRegion) {
    return [
      {
        links: [
          fail(
            'trail',
            `Trail ${q(t.name)} records ${t.homeRegion} only: it is not multi-region.`,
            trailEvidence,
          ),
        ],
        chain,
      },
    ];
  }
  const org = t.isOrganizationTrail ? ` (organization trail of account ${t.ownerAccountId})` : '';
  const links: LinkResult[] = [
    pass('trail', `Multi-region trail ${q(t.name)}${org}, home region ${t.homeRegion}.`, trailEvidence),
  ];

  // logging
  const status = ts.status;
  if (!status) {
    links.push(errorLink('logging', notRead('cloudtrail:GetTrailStatus'), `trail ${t.name}`));
  } else if (!status.ok) {
    links.push(trailErrorLink('logging', status.error, ctx, t));
  } else if (!status.value.isLogging) {
    const since = status.value.stopLoggingTime ? ` since ${status.value.stopLoggingTime}` : '';
    links.push(
      fail('logging', `Trail ${q(t.name)} is not logging${since}.`, { trailArn: t.arn, isLogging: false }),
    );
    return [{ links, chain }];
  } else {
    links.push(pass('logging', `Trail ${q(t.name)} is logging.`, { trailArn: t.arn, isLogging: true }));
  }

  // management events
  const selectors = ts.selectors;
  if (!selectors) {
    links.push(errorLink('management-events', notRead('cloudtrail:GetEventSelectors'), `trail ${t.name}`));
  } else if (!selectors.ok) {
    links.push(trailErrorLink('management-events', selectors.error, ctx, t));
  } else {
    const cov = managementCoverage(selectors.value);
    const evidence = {
      selectorKind: cov.kind,
      read: cov.read,
      write: cov.write,
      excluded: cov.excludedSources,
      eventSelectors: selectors.value.basic,
      advancedEventSelectors: selectors.value.advanced,
    };
    if (!cov.read || !cov.write) {
      const what =
        cov.excludedSources.length > 0 && !cov.read && !cov.write
          ? `excludes management events (${cov.excludedSources.join(', ')})`
          : cov.read
            ? 'records read-only management events only (no write events)'
            : cov.write
              ? 'records write-only management events only (no read events)'
              : 'records no management events';
      links.push(fail('management-events', `Trail ${q(t.name)} ${what}.`, evidence));
      return [{ links, chain }];
    }
    links.push(
      pass(
        'management-events',
        `Trail ${q(t.name)} records all management events, read and write (${cov.kind} selectors).`,
        evidence,
      ),
    );
  }

  // log group
  if (!t.logGroupArn) {
    links.push(
      fail('log-group', `Trail ${q(t.name)} does not deliver to CloudWatch Logs (no log group).`, {
        trailArn: t.arn,
      }),
    );
    return [{ links, chain }];
  }
  const lg = ctx.snap.logGroups[logGroupKey(t.logGroupArn)];
  if (!lg) {
    links.push(errorLink('log-group', notRead('logs:DescribeMetricFilters'), `log group ${t.logGroupArn}`));
    return [{ links, chain }];
  }
  const lgChain: ChainRef = {
    ...chain,
    logGroupArn: lg.ref.arn,
    logGroupName: lg.ref.name,
    logGroupAccountId: lg.ref.accountId,
    logGroupRegion: lg.ref.region,
  };
  return logGroupPaths(ctx, links, lgChain, lg, ts);
}

/**
 * A failed GetTrailStatus/GetEventSelectors. For an organization trail of another account the detail
 * names that account and the account the call was made in (the collector asks the owner when it can,
 * else the audited account: collector.ts puts "called in account N (...)" first in the message).
 */
function trailErrorLink(link: LinkName, error: ProbeError, ctx: Ctx, t: Trail): LinkResult {
  const foreign = t.ownerAccountId !== '' && t.ownerAccountId !== ctx.snap.accountId;
  const what = foreign
    ? `organization trail ${q(t.name)} of account ${t.ownerAccountId}`
    : `trail ${q(t.name)}`;
  const r = errorLink(link, error, what, { trailArn: t.arn, ownerAccountId: t.ownerAccountId });
  const called = /^called in account (\d{12}) \(([^)]*)\)/.exec(error.message);
  if (!foreign || !called || error.kind !== 'access-denied') return r;
  return { ...r, detail: `${r.detail} The call was made in account ${called[1]} (${called[2]}).` };
}

function notRead(action: string) {
  return { kind: 'failed' as const, action, message: 'not read by the collector' };
}

// --- log group and metric filter ---------------------------------------------------------------------

function logGroupPaths(
  ctx: Ctx,
  prefix: LinkResult[],
  chain: ChainRef,
  lg: LogGroupSnapshot,
  ts: TrailSnapshot,
): Path[] {
  const links = [...prefix];
  const where = `${lg.ref.name} (account ${lg.ref.accountId}, ${lg.ref.region})`;
  const lgEvidence = { logGroupArn: lg.ref.arn, accountId: lg.ref.accountId, region: lg.ref.region };
  if (!lg.filters.ok) {
    if (lg.filters.error.kind === 'not-found') {
      links.push(fail('log-group', `Log group ${where} does not exist.`, lgEvidence));
    } else {
      links.push(errorLink('log-group', lg.filters.error, `log group ${where}`, lgEvidence));
    }
    return [{ links, chain }];
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

  const filters = lg.filters.value;
  const judged = filters.map((f) => ({
    filter: f,
    j: judgeFilter(f.pattern, ctx.control.pattern, ctx.control.benignEvents),
  }));
  const covering = judged.filter((x) => x.j.covers && x.filter.transformations.length > 0);
  if (covering.length === 0) {
    links.push(noFilterLink(ctx, where, judged, lg));
    return [{ links, chain }];
  }
  const paths: Path[] = [];
  for (const { filter, j } of covering) {
    for (const tr of filter.transformations) {
      const metric: MetricRef = {
        accountId: lg.ref.accountId,
        region: lg.ref.region,
        name: tr.metricName,
        namespace: tr.metricNamespace,
      };
      const evidence = {
        filterName: filter.name,
        pattern: filter.pattern,
        reference: ctx.control.pattern,
        verdict: j.verdict,
        metric: metricLabel(metric),
        metricValue: tr.metricValue,
        ...(j.extra ? { extraExample: j.extra } : {}),
        ...(j.note ? { note: j.note } : {}),
      };
      const filterLink =
        j.verdict === 'BROADER'
          ? warn(
              'metric-filter',
              `Filter ${q(filter.name)} catches every CIS ${ctx.control.id} event and more (BROADER; e.g. ${showEvent(j.extra)}), so expect noise; metric ${metricLabel(metric)}.`,
              evidence,
            )
          : pass(
              'metric-filter',
              `Filter ${q(filter.name)} is equivalent to the CIS ${ctx.control.id} pattern; metric ${metricLabel(metric)}.`,
              evidence,
            );
      paths.push(
        ...alarmPaths(
          ctx,
          [...links, filterLink],
          { ...chain, filterName: filter.name, filterPattern: filter.pattern, metric },
          tr,
        ),
      );
    }
  }
  return paths;
}

function noFilterLink(
  ctx: Ctx,
  where: string,
  judged: Array<{ filter: MetricFilter; j: ReturnType<typeof judgeFilter> }>,
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
  const why =
    j.verdict === 'SYNTAX_ERROR'
      ? `its pattern does not parse: ${j.note ?? 'syntax error'}`
      : j.verdict === 'UNKNOWN'
        ? `cis-bot cannot prove it catches every event (${j.note ?? 'UNKNOWN'})`
        : j.missed
          ? `${j.verdict}: it misses ${showEvent(j.missed)}`
          : `${j.verdict}`;
  const others = judged.length > 1 ? ` (${judged.length} filters checked)` : '';
  return fail(
    'metric-filter',
    `No metric filter on log group ${where} catches every CIS ${ctx.control.id} event${others}; closest is ${q(filter.name)}, ${why}.`,
    evidence,
  );
}

// --- alarm, topic, subscription ------------------------------------------------------------------------

function alarmPaths(ctx: Ctx, prefix: LinkResult[], chain: ChainRef, tr: MetricTransformation): Path[] {
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

function topicPaths(
  ctx: Ctx,
  prefix: LinkResult[],
  chain: ChainRef,
  alarm: Alarm,
  metric: MetricRef,
): Path[] {
  const topicArns = alarm.alarmActions.filter((a) => parseTopicArn(a) !== undefined);
  if (topicArns.length === 0) {
    const others = alarm.alarmActions.length ? ` (its actions: ${alarm.alarmActions.join(', ')})` : '';
    return [
      {
        links: [
          ...prefix,
          fail('topic', `Alarm ${q(alarm.name)} notifies no SNS topic${others}.`, {
            alarmActions: alarm.alarmActions,
          }),
        ],
        chain,
      },
    ];
  }
  const paths: Path[] = [];
  for (const arn of topicArns) {
    const links = [...prefix];
    const topicChain: ChainRef = { ...chain, topicArn: arn };
    const snap = ctx.snap.topics[arn];
    if (!snap) {
      links.push(errorLink('topic', notRead('sns:GetTopicAttributes'), `topic ${arn}`));
      paths.push({ links, chain: topicChain });
      continue;
    }
    const attrs = snap.attributes;
    if (!attrs.ok && attrs.error.kind === 'not-found') {
      links.push(
        fail('topic', `Alarm ${q(alarm.name)} notifies topic ${arn}, which does not exist.`, {
          topicArn: arn,
        }),
      );
      paths.push({ links, chain: topicChain });
      continue;
    }
    if (!attrs.ok) {
      links.push(errorLink('topic', attrs.error, `topic ${arn}`, { topicArn: arn }));
    } else {
      const policy = cloudWatchCanPublish(attrs.value.Policy, arn, metric.accountId);
      const evidence = { topicArn: arn, policyAllowsCloudWatch: policy.allows, policyCheck: policy.why };
      links.push(
        policy.allows
          ? pass('topic', `Alarm ${q(alarm.name)} notifies topic ${snap.ref.name}.`, evidence)
          : warn(
              'topic',
              `Topic ${snap.ref.name} may not accept CloudWatch's notifications: ${policy.why}.`,
              evidence,
            ),
      );
    }
    const subs = snap.subscriptions;
    if (!subs.ok) {
      links.push(
        subs.error.kind === 'not-found'
          ? fail('subscription', `Topic ${arn} does not exist.`, { topicArn: arn })
          : errorLink('subscription', subs.error, `topic ${arn}`, { topicArn: arn }),
      );
      paths.push({ links, chain: topicChain });
      continue;
    }
    const confirmed = subs.value.filter((s) => s.confirmed);
    const pending = subs.value.length - confirmed.length;
    const evidence = {
      topicArn: arn,
      confirmed: confirmed.map((s) => ({
        protocol: s.protocol,
        endpoint: displayEndpoint(s.protocol, s.endpoint),
        subscriptionArn: s.arn,
      })),
      pending,
    };
    if (confirmed.length > 0) {
      const first = confirmed[0];
      links.push(
        pass(
          'subscription',
          `Topic ${snap.ref.name} has ${confirmed.length} confirmed subscription(s)${first ? ` (${first.protocol} ${displayEndpoint(first.protocol, first.endpoint)}${confirmed.length > 1 ? ', ...' : ''})` : ''}.`,
          evidence,
        ),
      );
      paths.push({ links, chain: first ? { ...topicChain, subscriptionArn: first.arn } : topicChain });
    } else if (pending > 0) {
      links.push(
        fail(
          'subscription',
          `Topic ${snap.ref.name} has only ${pending} subscription(s) pending confirmation: nobody receives the alarm.`,
          evidence,
        ),
      );
      paths.push({ links, chain: topicChain });
    } else {
      links.push(
        fail(
          'subscription',
          `Topic ${snap.ref.name} has no subscriptions: nobody receives the alarm.`,
          evidence,
        ),
      );
      paths.push({ links, chain: topicChain });
    }
  }
  return paths;
}

// --- choosing the best chain ---------------------------------------------------------------------------

function pathStatus(p: Path): AccountStatus {
  if (p.links.some((l) => l.status === 'fail')) return 'NON_COMPLIANT';
  if (p.links.some((l) => l.status === 'error')) return 'ERROR';
  return 'COMPLIANT';
}

const STATUS_RANK: Record<AccountStatus, number> = { COMPLIANT: 2, ERROR: 1, NON_COMPLIANT: 0 };

/** Higher is better: status, then how far the chain holds, then fewer errors and warnings. */
function score(p: Path): number[] {
  const firstFail = p.links.findIndex((l) => l.status === 'fail');
  const good = p.links.filter((l) => l.status === 'pass' || l.status === 'warn').length;
  const errors = p.links.filter((l) => l.status === 'error').length;
  const warns = p.links.filter((l) => l.status === 'warn').length;
  return [STATUS_RANK[pathStatus(p)], firstFail === -1 ? p.links.length : firstFail, good, -errors, -warns];
}

function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
}

function compliantReason(p: Path): string {
  const c = p.chain;
  const warns = p.links.filter((l) => l.status === 'warn').length;
  const parts = [
    `trail ${q(c.trailName ?? '?')}`,
    `log group ${c.logGroupName ?? '?'}`,
    `filter ${q(c.filterName ?? '?')}`,
    `alarm ${q(c.alarmName ?? '?')}`,
    `topic ${c.topicArn?.split(':').pop() ?? '?'}`,
  ];
  return `Chain holds: ${parts.join(' -> ')} (confirmed subscriber)${warns ? `; ${warns} warning(s)` : ''}.`;
}

export function evaluate(control: Control, snap: AccountSnapshot): AccountFinding {
  const base = {
    control: control.id,
    accountId: snap.accountId,
    ...(snap.label !== undefined ? { label: snap.label } : {}),
  };
  if (!snap.access.ok) {
    return {
      ...base,
      status: 'ERROR',
      reason: `Cannot audit account ${snap.accountId}: ${snap.access.error.message} (${snap.access.error.action}).`,
      links: [],
      chain: {},
      candidates: 0,
    };
  }
  let paths: Path[];
  if (!snap.trails.ok) {
    paths = [
      {
        links: [errorLink('trail', snap.trails.error, `the trails of region ${snap.auditRegion}`)],
        chain: {},
      },
    ];
  } else if (snap.trails.value.length === 0) {
    paths = [
      {
        links: [
          fail(
            'trail',
            `No CloudTrail trail covers account ${snap.accountId}: DescribeTrails in ${snap.auditRegion} lists none (every multi-region trail would appear there).`,
            { auditRegion: snap.auditRegion },
          ),
        ],
        chain: {},
      },
    ];
  } else {
    const ctx: Ctx = { control, snap };
    paths = snap.trails.value.flatMap((ts) => trailPaths(ctx, ts));
  }
  let best = paths[0] as Path;
  let bestScore = score(best);
  for (const p of paths.slice(1)) {
    const s = score(p);
    if (better(s, bestScore)) {
      best = p;
      bestScore = s;
    }
  }
  const status = pathStatus(best);
  const broken: LinkResult | undefined =
    status === 'NON_COMPLIANT'
      ? best.links.find((l) => l.status === 'fail')
      : status === 'ERROR'
        ? best.links.find((l) => l.status === 'error')
        : undefined;
  let reason = broken ? broken.detail : compliantReason(best);
  if (
    broken &&
    snap.trails.ok &&
    snap.trails.value.length > 0 &&
    !snap.trails.value.some((t) => t.trail.isMultiRegion)
  ) {
    reason = `No multi-region trail: ${reason}`;
  }
  const brokenLink: LinkName | undefined = broken?.link;
  return {
    ...base,
    status,
    reason,
    ...(brokenLink ? { brokenLink } : {}),
    links: best.links,
    chain: best.chain,
    candidates: paths.length,
  };
}
