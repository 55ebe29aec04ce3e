/**
 * The remediation planner (pure): from a finding, its snapshot, the control and the remediation settings,
 * the ordered steps that repair ONLY the broken links of the chain, reusing what exists.
 *
 * Decisions (documented in the README's remediation section):
 * - The bot repairs the metric filter, the SNS topic, the subscription and the alarm, in the chain's log
 *   group's own account and region (taken from the trail's ARN, never a bare name). Trail links, missing
 *   log groups and unreadable links become guidance.
 * - A filter link that holds is reused (its metric); otherwise the bot writes its own filter (name and
 *   metric from the control's defaults and `remediation.overrides`). It never silently overwrites: a
 *   same-named filter or alarm with other content is replaced only by an explicit "replaces existing ..."
 *   step that records what it replaces, and the executor refuses if it then finds anything else.
 * - The alarm is the bot's own (named from the defaults/overrides); other people's broken alarms are left
 *   as they are (a note says so). A same-named alarm keeps its other actions.
 * - The topic is `remediation.topic_arn`, or an existing one (below), or the topic named
 *   `remediation.topic_name` in the target account and region (CreateTopic is idempotent). A topic the bot creates keeps AWS's default access
 *   policy: it allows `sns:Publish` to any principal of the owner account (`AWS:SourceOwner`), which is
 *   what a CloudWatch alarm of that same account publishes as, so no policy step is needed (a
 *   KMS-encrypted topic would also need a key policy for CloudWatch; the bot never creates those).
 * - Without topic_arn, a topic the chain's alarms already notify, in the target account and region, with
 *   a confirmed subscriber and a policy letting CloudWatch publish, is reused for the bot's alarm: no new
 *   topic and no subscription, and the chain holds as soon as the alarm is written.
 * - A topic that already has a confirmed subscriber needs no subscription; otherwise the configured
 *   `remediation.subscription` is subscribed (an existing one for that endpoint, even pending, is reused),
 *   and without one the plan says to configure it.
 */
import type { RemediationConfig } from '../../config/schema';
import type { Control } from '../controls/types';
import type { AccountFinding, LinkName } from '../evaluate/findings';
import { cloudWatchCanPublish } from '../evaluate/topic-policy';
import {
  type AccountSnapshot,
  type Alarm,
  logGroupKey,
  type MetricFilter,
  parseLogGroupArn,
  parseTopicArn,
  type Subscription,
  type TopicSnapshot,
} from '../snapshot';
import { canonicalJson, sha256Hex } from './canonical';
import { createTopicCli, putMetricAlarmCli, putMetricFilterCli, shellQuote, subscribeCli } from './cli-text';
import { accountErrorGuidance, errorLinkGuidance, unrepairedLinkGuidance } from './guidance';
import {
  alarmSpecOf,
  alarmSpecOfInput,
  describeChanges,
  filterSpecOf,
  filterSpecOfInput,
  sameSpec,
} from './specs';
import {
  type FactsRequest,
  type Guidance,
  NO_FACTS,
  type Plan,
  type PlanStep,
  type PlanTarget,
  type PutMetricAlarmInput,
  type PutMetricFilterInput,
  type RemediationFacts,
} from './types';

/** The links the bot repairs, in chain order. */
export const REPAIRABLE_LINKS: readonly LinkName[] = ['metric-filter', 'alarm', 'topic', 'subscription'];

/**
 * Every IAM action a remediation needs: the four writes of the CIS text plus the reads the planner and
 * the executor make right before each step (cloudwatch:DescribeAlarms is not among the audit's reads).
 */
export const REMEDIATION_IAM_ACTIONS: readonly string[] = [
  'logs:PutMetricFilter',
  'sns:CreateTopic',
  'sns:Subscribe',
  'cloudwatch:PutMetricAlarm',
  'logs:DescribeMetricFilters',
  'cloudwatch:DescribeAlarms',
  'sns:ListSubscriptionsByTopic',
  'sns:GetTopicAttributes',
];

/** Protocols whose subscriptions wait for the endpoint's owner to confirm them. */
export const CONFIRMED_BY_OWNER: readonly string[] = ['email', 'email-json', 'http', 'https', 'sms'];

/** Most actions an alarm state may have (AWS limit). */
const MAX_ACTIONS = 5;

export interface RemediationNames {
  filterName: string;
  metricName: string;
  metricNamespace: string;
  metricValue: string;
  alarmName: string;
}

/** The control's defaults with `remediation.overrides[control]` applied. */
export function remediationNames(control: Control, settings: RemediationConfig): RemediationNames {
  const o = settings.overrides[control.id] ?? {};
  const d = control.defaults;
  return {
    filterName: o.filter_name ?? d.filterName,
    metricName: o.metric_name ?? d.metricName,
    metricNamespace: o.metric_namespace ?? d.metricNamespace,
    metricValue: d.metricValue,
    alarmName: o.alarm_name ?? d.alarmName,
  };
}

interface Located {
  accountId: string;
  region: string;
  partition: string;
  logGroupName: string;
  logGroupArn: string;
  broken: LinkName;
  /** The topic the bot's alarm notifies / the bot subscribes to. */
  topicArn: string;
}

/**
 * A topic the chain's alarms already notify that would carry the bot's alarm at once: in the log group's
 * account and region (where the alarm is created), existing, with a confirmed subscriber, and whose
 * access policy lets CloudWatch publish. The snapshot holds every topic a candidate alarm names (the
 * collector reads them, whether or not the alarm's actions are enabled), so no extra read is needed.
 * The chain's own topic first, then the topics of the chain's alarm, then any other, by ARN.
 */
export function reusableTopic(
  finding: AccountFinding,
  snapshot: AccountSnapshot,
  where: { accountId: string; region: string },
): string | undefined {
  const usable = (arn: string): boolean => {
    const ref = parseTopicArn(arn);
    const topic = snapshot.topics[arn];
    if (!ref || !topic || ref.accountId !== where.accountId || ref.region !== where.region) return false;
    if (!topic.attributes.ok || !topic.subscriptions.ok) return false;
    if (!topic.subscriptions.value.some((s) => s.confirmed)) return false;
    return cloudWatchCanPublish(topic.attributes.value.Policy, arn, where.accountId).allows;
  };
  const chainAlarm = finding.chain.alarmName;
  const alarmTopics = chainAlarm
    ? Object.values(snapshot.metricAlarms).flatMap((ma) =>
        ma.alarms.ok
          ? ma.alarms.value.filter((a) => a.name === chainAlarm).flatMap((a) => a.alarmActions)
          : [],
      )
    : [];
  const ordered = [
    ...(finding.chain.topicArn ? [finding.chain.topicArn] : []),
    ...alarmTopics,
    ...Object.keys(snapshot.topics).sort(),
  ];
  return ordered.find(usable);
}

/** Where the repair happens and with which topic, when the broken link is one the bot repairs. */
function locate(
  finding: AccountFinding,
  settings: RemediationConfig,
  snapshot: AccountSnapshot,
): { ok: true; value: Located } | { ok: false; guidance?: Guidance } {
  if (finding.status !== 'NON_COMPLIANT' || !finding.brokenLink) return { ok: false };
  const broken = finding.brokenLink;
  if (!REPAIRABLE_LINKS.includes(broken)) return { ok: false };
  const lg = finding.chain.logGroupArn ? parseLogGroupArn(finding.chain.logGroupArn) : undefined;
  if (!lg) {
    return {
      ok: false,
      guidance: {
        link: broken,
        severity: 'blocker',
        title: 'Cannot locate the log group',
        detail: `The chain's log group ARN (${finding.chain.logGroupArn ?? 'none'}) cannot be parsed, so cis-bot does not know where to repair.`,
      },
    };
  }
  // A broken subscription is repaired on the chain's own topic; otherwise a configured topic_arn (the
  // operator's explicit choice), else a topic the chain's alarms already notify that has a confirmed
  // subscriber (reuse what exists: no new topic, no subscription), else the topic named topic_name.
  const topicArn =
    broken === 'subscription' && finding.chain.topicArn
      ? finding.chain.topicArn
      : (settings.topic_arn ??
        reusableTopic(finding, snapshot, lg) ??
        `arn:${lg.partition}:sns:${lg.region}:${lg.accountId}:${settings.topic_name}`);
  const topic = parseTopicArn(topicArn);
  if (!topic || topic.region !== lg.region || topic.accountId !== lg.accountId) {
    const configured = broken !== 'subscription' && settings.topic_arn !== undefined;
    return {
      ok: false,
      guidance: {
        link: broken === 'subscription' ? 'subscription' : 'topic',
        severity: 'blocker',
        title: configured
          ? 'remediation.topic_arn cannot be used for this chain'
          : 'The topic is in another account or region',
        detail: configured
          ? `remediation.topic_arn ${topicArn} must be an SNS topic ARN in the log group's account ${lg.accountId} and region ${lg.region}, where the alarm is created.`
          : `Topic ${topicArn} is not in the log group's account ${lg.accountId} and region ${lg.region}: cis-bot only changes the chain's own account and region. Subscribe a confirmed endpoint to it there.`,
      },
    };
  }
  return {
    ok: true,
    value: {
      accountId: lg.accountId,
      region: lg.region,
      partition: lg.partition,
      logGroupName: lg.name,
      logGroupArn: lg.arn,
      broken,
      topicArn,
    },
  };
}

/**
 * What the planner needs read beyond the snapshot (the bot's alarm by name, and its topic unless the
 * snapshot already holds it); undefined when the finding needs no repair steps.
 */
export function remediationFactsRequest(
  finding: AccountFinding,
  snapshot: AccountSnapshot,
  control: Control,
  settings: RemediationConfig,
): FactsRequest | undefined {
  const located = locate(finding, settings, snapshot);
  if (!located.ok) return undefined;
  const { value } = located;
  const names = remediationNames(control, settings);
  return {
    accountId: value.accountId,
    region: value.region,
    alarmNames: value.broken === 'subscription' ? [] : [names.alarmName],
    topicArns: snapshot.topics[value.topicArn] ? [] : [value.topicArn],
  };
}

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

/** Does the topic exist? true / false / undefined (not read, or the read failed). */
function topicExists(topic: TopicSnapshot | undefined): boolean | undefined {
  if (!topic) return undefined;
  if (topic.attributes.ok || topic.subscriptions.ok) return true;
  if (topic.attributes.error.kind === 'not-found') return false;
  return undefined;
}

function buildPlan(
  control: Control,
  finding: AccountFinding,
  target: PlanTarget,
  steps: PlanStep[],
  guidance: Guidance[],
): Plan {
  const hash = sha256Hex(
    canonicalJson({ version: 1, control: control.id, accountId: finding.accountId, target, steps }),
  );
  return {
    version: 1,
    control: control.id,
    controlTitle: control.title,
    accountId: finding.accountId,
    target,
    steps,
    guidance,
    finding: {
      status: finding.status,
      ...(finding.brokenLink ? { brokenLink: finding.brokenLink } : {}),
      reason: finding.reason,
    },
    hash,
  };
}

const q = (s: string) => `'${s}'`;

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

export function planRemediation(
  finding: AccountFinding,
  snapshot: AccountSnapshot,
  control: Control,
  settings: RemediationConfig,
  facts: RemediationFacts = NO_FACTS,
): Plan {
  const baseTarget: PlanTarget = {
    accountId: finding.accountId,
    region: snapshot.auditRegion,
    partition: 'aws',
  };
  const guidance: Guidance[] = [];

  if (finding.status === 'COMPLIANT') return buildPlan(control, finding, baseTarget, [], guidance);

  if (finding.status === 'ERROR') {
    const errors = finding.links.filter((l) => l.status === 'error');
    if (errors.length === 0) guidance.push(accountErrorGuidance(finding));
    for (const link of errors) guidance.push(errorLinkGuidance(link, true));
    return buildPlan(control, finding, baseTarget, [], guidance);
  }

  // NON_COMPLIANT: links the bot could not read before the broken one are notes; the broken link decides.
  const brokenIndex = finding.links.findIndex((l) => l.status === 'fail');
  for (const link of finding.links.slice(0, brokenIndex < 0 ? undefined : brokenIndex)) {
    if (link.status === 'error') guidance.push(errorLinkGuidance(link, false));
  }
  const brokenLink = finding.links[brokenIndex];
  const unrepaired = brokenLink ? unrepairedLinkGuidance(finding, brokenLink) : undefined;
  if (unrepaired) {
    guidance.push(unrepaired);
    return buildPlan(control, finding, baseTarget, [], guidance);
  }
  const located = locate(finding, settings, snapshot);
  if (!located.ok) {
    if (located.guidance) guidance.push(located.guidance);
    return buildPlan(control, finding, baseTarget, [], guidance);
  }
  const loc = located.value;
  const names = remediationNames(control, settings);
  const steps: PlanStep[] = [];
  const topicName = loc.topicArn.split(':').pop() ?? settings.topic_name;
  const lgWhere = `${loc.logGroupName} (account ${loc.accountId}, ${loc.region})`;

  // --- metric filter -------------------------------------------------------------------------------
  let metric: { name: string; namespace: string };
  let filterName: string;
  if (loc.broken === 'metric-filter') {
    filterName = names.filterName;
    metric = { name: names.metricName, namespace: names.metricNamespace };
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
  } else {
    const m = finding.chain.metric;
    filterName = finding.chain.filterName ?? names.filterName;
    if (!m) {
      guidance.push({
        link: loc.broken,
        severity: 'blocker',
        title: 'Cannot tell which metric the chain uses',
        detail: 'The finding names no metric for its filter; audit again.',
      });
      return buildPlan(control, finding, baseTarget, [], guidance);
    }
    metric = { name: m.name, namespace: m.namespace };
  }

  // What the chain's filter emits (the alarm must watch exactly that): the bot's own filter emits the
  // metric without dimensions or unit; a reused filter is looked up in the snapshot.
  const emitted: Emitted =
    loc.broken === 'metric-filter'
      ? { dimensions: [] }
      : emittedBy(snapshot, loc.logGroupArn, filterName, metric);

  // --- topic -----------------------------------------------------------------------------------------
  const topicSnap = snapshot.topics[loc.topicArn] ?? facts.topics[loc.topicArn];
  const exists = topicExists(topicSnap);
  if (exists !== true) {
    steps.push({
      id: 'topic',
      title: `Create SNS topic ${topicName}`,
      call: { service: 'sns', operation: 'CreateTopic', input: { Name: topicName } },
      cli: createTopicCli(topicName, loc.region),
      iamAction: 'sns:CreateTopic',
      precondition: `Topic ${loc.topicArn} may already exist: CreateTopic is idempotent and then returns it (its ARN must be ${loc.topicArn}). AWS's default topic policy lets this account's CloudWatch alarms publish.`,
    });
  } else if (topicSnap?.attributes.ok) {
    const policy = cloudWatchCanPublish(topicSnap.attributes.value.Policy, loc.topicArn, loc.accountId);
    if (!policy.allows) {
      guidance.push({
        link: 'topic',
        severity: 'note',
        title: `Topic ${topicName} may not accept CloudWatch's notifications`,
        detail: `${policy.why}. Allow sns:Publish to cloudwatch.amazonaws.com (or this account) in the topic's access policy; cis-bot does not change existing policies.`,
        iamAction: 'sns:SetTopicAttributes',
      });
    }
  }

  // --- subscription ----------------------------------------------------------------------------------
  const subs: Subscription[] | undefined = topicSnap?.subscriptions.ok
    ? topicSnap.subscriptions.value
    : exists === true
      ? undefined
      : [];
  const wanted = settings.subscription;
  if (!subs?.some((s) => s.confirmed)) {
    const mine = wanted
      ? subs?.find((s) => s.protocol === wanted.protocol && s.endpoint === wanted.endpoint)
      : undefined;
    if (wanted && mine) {
      guidance.push({
        link: 'subscription',
        severity: 'awaiting-confirmation',
        title: `${wanted.endpoint} must confirm the subscription`,
        detail: `The ${wanted.protocol} subscription of ${wanted.endpoint} to topic ${topicName} is pending: its owner must confirm it (the link in the message SNS sent). The next audit sees the confirmation.`,
      });
    } else if (wanted) {
      const input = {
        TopicArn: loc.topicArn,
        Protocol: wanted.protocol,
        Endpoint: wanted.endpoint,
        ReturnSubscriptionArn: true as const,
      };
      steps.push({
        id: 'subscription',
        title: `Subscribe ${wanted.protocol} ${wanted.endpoint} to topic ${topicName}`,
        call: { service: 'sns', operation: 'Subscribe', input },
        cli: subscribeCli(input, loc.region),
        iamAction: 'sns:Subscribe',
        precondition: `Topic ${loc.topicArn} exists; a subscription of ${wanted.protocol} ${wanted.endpoint} to it (confirmed or pending) is reused, not duplicated.`,
      });
      if (CONFIRMED_BY_OWNER.includes(wanted.protocol)) {
        guidance.push({
          link: 'subscription',
          severity: 'note',
          title: `${wanted.endpoint} will have to confirm`,
          detail: `SNS sends ${wanted.endpoint} a confirmation message; the chain holds only once its owner confirms.`,
        });
      }
    } else {
      guidance.push({
        link: 'subscription',
        severity: 'blocker',
        title: 'Nobody receives the alarm: configure remediation.subscription',
        detail: `Topic ${topicName} has no confirmed subscription${subs?.length ? ` (${subs.length} pending)` : ''}, and no remediation.subscription (protocol, endpoint) is configured. Configure one (e.g. protocol email, endpoint security@example.com), or subscribe an endpoint yourself and confirm it.`,
        cli: `aws sns subscribe --topic-arn ${loc.topicArn} --protocol email --notification-endpoint <address> --region ${loc.region}`,
        iamAction: 'sns:Subscribe',
      });
    }
  }

  // --- alarm -----------------------------------------------------------------------------------------
  let alarmName = finding.chain.alarmName ?? names.alarmName;
  if (loc.broken !== 'subscription') {
    alarmName = names.alarmName;
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

  const target: PlanTarget = {
    accountId: loc.accountId,
    region: loc.region,
    partition: loc.partition,
    logGroupName: loc.logGroupName,
    logGroupArn: loc.logGroupArn,
    filterName,
    metric,
    alarmName,
    topicArn: loc.topicArn,
    ...(wanted ? { subscription: { protocol: wanted.protocol, endpoint: wanted.endpoint } } : {}),
  };
  const order = ['metric-filter', 'topic', 'subscription', 'alarm'];
  steps.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  return buildPlan(control, finding, target, steps, guidance);
}

/**
 * The blockers a plan's steps leave in place. The planner only files a `blocker` for what no step of the
 * plan does (a link it does not repair, no subscriber and no remediation.subscription to add one...), so
 * every blocker in the guidance is unresolved.
 */
export function unresolvedBlockers(plan: Plan): Guidance[] {
  return plan.guidance.filter((g) => g.severity === 'blocker');
}

/**
 * What a plan asks of its approvers, in one word. Steps are offered for approval only when they can
 * bring the chain to COMPLIANT: with an unresolved blocker the plan is `guidance-only` (its steps are
 * still shown, as what cis-bot would do once the blocker is dealt with, but nobody can approve them).
 */
export function planKind(plan: Plan): 'nothing-to-do' | 'guidance-only' | 'steps' {
  if (plan.steps.length > 0 && unresolvedBlockers(plan).length === 0) return 'steps';
  return plan.finding.status === 'COMPLIANT' ? 'nothing-to-do' : 'guidance-only';
}
