/**
 * Where a remediation happens: which links the bot repairs, the names of its own filter, metric and
 * alarm, the account/region/log group taken from the chain's log group ARN, and the topic the bot's alarm
 * notifies (the chain's own for a broken subscription, else topic_arn, a reusable topic of the chain or
 * of the bot-named alarm, or topic_name).
 * Also what the planner needs read beyond the snapshot to plan there.
 */
import { CONTROLS, type ControlRegistry, metricFilterControls } from '../controls/registry';
import type { MetricFilterControl } from '../controls/types';
import type { AccountFinding, LinkName } from '../evaluate/findings';
import { topicKeyCheck } from '../evaluate/key-policy';
import { cloudWatchCanPublish } from '../evaluate/topic-policy';
import type { FactsRequest, RemediationFacts } from '../ports/remediation-runtime';
import type { RemediationSettings } from '../settings';
import { type AccountSnapshot, parseLogGroupArn, parseTopicArn, type TopicSnapshot } from '../snapshot';
import type { Guidance } from './types';

/** The links the bot repairs, in chain order. */
export const REPAIRABLE_LINKS: readonly LinkName[] = ['metric-filter', 'alarm', 'topic', 'subscription'];

export interface RemediationNames {
  filterName: string;
  metricName: string;
  metricNamespace: string;
  metricValue: string;
  alarmName: string;
}

/** The control's defaults with `remediation.overrides[control]` applied. */
export function remediationNames(
  control: MetricFilterControl,
  settings: RemediationSettings,
): RemediationNames {
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

/** Where the repair happens, for a finding whose broken link the bot repairs. */
export interface Located {
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
 * Would this topic carry the bot's alarm at once? In the log group's account and region (where the alarm
 * is created), existing (read), with a confirmed subscriber, an access policy letting CloudWatch publish,
 * and, when encrypted, a key CloudWatch may use. The one rule for reusing a topic, whether it was read by
 * the audit or by the planner's facts.
 */
export function topicQualifiesForReuse(
  arn: string,
  topic: TopicSnapshot | undefined,
  where: { accountId: string; region: string },
): boolean {
  const ref = parseTopicArn(arn);
  if (!ref || !topic || ref.accountId !== where.accountId || ref.region !== where.region) return false;
  if (!topic.attributes.ok || !topic.subscriptions.ok) return false;
  if (!topic.subscriptions.value.some((s) => s.confirmed)) return false;
  // An encrypted topic qualifies only when its key is known to let CloudWatch in (key-policy.ts).
  const key = topicKeyCheck(topic, where.accountId);
  if (key && key.status !== 'allows') return false;
  return cloudWatchCanPublish(topic.attributes.value.Policy, arn, where.accountId).allows;
}

/**
 * A topic the chain's alarms already notify that would carry the bot's alarm at once
 * (`topicQualifiesForReuse`). The snapshot holds every topic a candidate alarm names (the collector reads
 * them, whether or not the alarm's actions are enabled), so no extra read is needed.
 * The chain's own topic first, then the topics of the chain's alarm, then any other, by ARN.
 */
export function reusableTopic(
  finding: AccountFinding,
  snapshot: AccountSnapshot,
  where: { accountId: string; region: string },
): string | undefined {
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
  return ordered.find((arn) => topicQualifiesForReuse(arn, snapshot.topics[arn], where));
}

/**
 * The SNS topics the bot-named alarm (as read into the facts) notifies, in the target's account and
 * region, in the alarm's order. The collector only reads alarms on metrics of covering filters, so when
 * the filter is the broken link the bot's own alarm (and its topics) are not in the snapshot.
 */
export function botAlarmTopics(
  facts: RemediationFacts,
  alarmName: string,
  where: { accountId: string; region: string },
): string[] {
  const read = facts.alarms[alarmName];
  if (!read?.ok || !read.value) return [];
  return [...new Set(read.value.alarmActions)].filter((arn) => {
    const ref = parseTopicArn(arn);
    return ref !== undefined && ref.accountId === where.accountId && ref.region === where.region;
  });
}

/**
 * The alarms whose topics the planner may reuse, by name: this control's bot-named alarm first, then the
 * bot-named alarms of every other chain control of the registry (an account where the bot, or someone
 * following the CIS names, already wired 4.1 to a topic with a confirmed subscriber has its alarm topic).
 * One rule for every control: 4.2's plan reuses 4.1's topic as 4.1's would reuse 4.2's.
 */
export function botAlarmNames(
  control: MetricFilterControl,
  settings: RemediationSettings,
  registry: ControlRegistry = CONTROLS,
): string[] {
  const others = metricFilterControls(registry).filter((c) => c.id !== control.id);
  return [...new Set([control, ...others].map((c) => remediationNames(c, settings).alarmName))];
}

/**
 * A topic one of the bot-named alarms (`botAlarmNames`, in that order) already notifies that qualifies
 * for reuse by the same rule as `reusableTopic`, read by the facts' second round (or present in the
 * snapshot).
 */
export function reusableBotAlarmTopic(
  facts: RemediationFacts,
  snapshot: AccountSnapshot,
  alarmNames: readonly string[],
  where: { accountId: string; region: string },
): string | undefined {
  return alarmNames
    .flatMap((name) => botAlarmTopics(facts, name, where))
    .find((arn) => topicQualifiesForReuse(arn, facts.topics[arn] ?? snapshot.topics[arn], where));
}

/** Where the repair happens and with which topic, when the broken link is one the bot repairs. */
export function locate(
  finding: AccountFinding,
  settings: RemediationSettings,
  snapshot: AccountSnapshot,
  /** The planner's facts and the bot-named alarms (`botAlarmNames`): a topic they notify may be reused. */
  reuse?: { facts: RemediationFacts; alarmNames: readonly string[] },
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
  // subscriber (reuse what exists: no new topic, no subscription), else one a bot-named alarm (this
  // control's, then the other chain controls') already notifies that qualifies the same way (read beyond
  // the snapshot), else the topic named topic_name.
  const topicArn =
    broken === 'subscription' && finding.chain.topicArn
      ? finding.chain.topicArn
      : (settings.topic_arn ??
        reusableTopic(finding, snapshot, lg) ??
        (reuse ? reusableBotAlarmTopic(reuse.facts, snapshot, reuse.alarmNames, lg) : undefined) ??
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
 * snapshot already holds it; and, when no topic_arn is configured and the snapshot offers no reusable
 * topic, the topics the bot's alarm notifies, read once that alarm is read); undefined when the finding
 * needs no repair steps.
 */
export function remediationFactsRequest(
  finding: AccountFinding,
  snapshot: AccountSnapshot,
  control: MetricFilterControl,
  settings: RemediationSettings,
  registry: ControlRegistry = CONTROLS,
): FactsRequest | undefined {
  const located = locate(finding, settings, snapshot);
  if (!located.ok) return undefined;
  const { value } = located;
  const names = remediationNames(control, settings);
  const ownTopic = value.broken === 'subscription';
  const followAlarm =
    !ownTopic && settings.topic_arn === undefined && reusableTopic(finding, snapshot, value) === undefined;
  // The bot's own alarm is read to plan its step; with no topic to reuse yet, the other chain controls'
  // bot-named alarms too, and the topics all of them notify.
  const followed = followAlarm ? botAlarmNames(control, settings, registry) : [];
  return {
    accountId: value.accountId,
    region: value.region,
    alarmNames: ownTopic ? [] : [...new Set([names.alarmName, ...followed])],
    topicArns: snapshot.topics[value.topicArn] ? [] : [value.topicArn],
    ...(followAlarm ? { alarmTopicsOf: followed } : {}),
  };
}
