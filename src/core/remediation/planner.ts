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
 *   topic and no subscription, and the chain holds as soon as the alarm is written. When the snapshot
 *   offers none, a topic a bot-named alarm already notifies (this control's, then every other chain
 *   control's of the registry, read into the facts: the audit reads neither while no covering filter
 *   emits their metrics) is reused by the same rule, so 4.2's plan reuses the topic 4.1's alarm already
 *   notifies, and the other way round.
 * - A topic that already has a confirmed subscriber needs no subscription; otherwise the configured
 *   `remediation.subscription` is subscribed (an existing one for that endpoint, even pending, is reused),
 *   and without one the plan says to configure it.
 *
 * The parts, in chain order: repair-target.ts (where, with which topic), filter-step.ts, topic-steps.ts,
 * alarm-step.ts (the steps and their notes), plan-assembly.ts (the plan, its hash and kind).
 */
import type { MetricFilterControl } from '../controls/types';
import type { AccountFinding } from '../evaluate/findings';
import { NO_FACTS, type RemediationFacts } from '../ports/remediation-runtime';
import type { RemediationSettings } from '../settings';
import type { AccountSnapshot } from '../snapshot';
import { alarmStep } from './alarm-step';
import { filterStep } from './filter-step';
import { accountErrorGuidance, errorLinkGuidance, unrepairedLinkGuidance } from './guidance';
import { buildPlan } from './plan-assembly';
import type { PlanParts, StepContext } from './plan-parts';
import { botAlarmNames, locate, remediationNames } from './repair-target';
import { topicSteps } from './topic-steps';
import type { Guidance, Plan, PlanStep, PlanTarget } from './types';

export function planRemediation(
  finding: AccountFinding,
  snapshot: AccountSnapshot,
  control: MetricFilterControl,
  settings: RemediationSettings,
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
  const names = remediationNames(control, settings);
  const located = locate(finding, settings, snapshot, {
    facts,
    alarmNames: botAlarmNames(control, settings),
  });
  if (!located.ok) {
    if (located.guidance) guidance.push(located.guidance);
    return buildPlan(control, finding, baseTarget, [], guidance);
  }
  const loc = located.value;
  const steps: PlanStep[] = [];
  const topicName = loc.topicArn.split(':').pop() ?? settings.topic_name;
  const ctx: StepContext = { finding, snapshot, control, settings, facts, loc, names, topicName };
  const out: PlanParts = { steps, guidance };

  // --- metric filter -------------------------------------------------------------------------------
  const chosen = filterStep(ctx, out);
  if (!chosen) return buildPlan(control, finding, baseTarget, [], guidance);
  const { filterName, metric } = chosen;

  // --- topic and subscription ------------------------------------------------------------------------
  topicSteps(ctx, out);
  const wanted = settings.subscription;

  // --- alarm -----------------------------------------------------------------------------------------
  let alarmName = finding.chain.alarmName ?? names.alarmName;
  if (loc.broken !== 'subscription') {
    alarmName = names.alarmName;
    alarmStep(ctx, out, chosen, alarmName, brokenLink);
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
