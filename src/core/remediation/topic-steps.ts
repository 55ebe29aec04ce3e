/**
 * The topic and subscription part of a plan: create the topic unless it exists (CreateTopic is
 * idempotent), note a policy that may keep CloudWatch out, and make sure somebody receives the alarm:
 * subscribe the configured endpoint, or wait for its pending confirmation, or say to configure one.
 */
import { cloudWatchCanPublish } from '../evaluate/topic-policy';
import type { Subscription, TopicSnapshot } from '../snapshot';
import { createTopicCli, subscribeCli } from './cli-text';
import type { PlanParts, StepContext } from './plan-parts';

/** Protocols whose subscriptions wait for the endpoint's owner to confirm them. */
export const CONFIRMED_BY_OWNER: readonly string[] = ['email', 'email-json', 'http', 'https', 'sms'];

/** Does the topic exist? true / false / undefined (not read, or the read failed). */
function topicExists(topic: TopicSnapshot | undefined): boolean | undefined {
  if (!topic) return undefined;
  if (topic.attributes.ok || topic.subscriptions.ok) return true;
  if (topic.attributes.error.kind === 'not-found') return false;
  return undefined;
}

export function topicSteps(ctx: StepContext, out: PlanParts): void {
  const { snapshot, facts, settings, loc, topicName } = ctx;
  const { steps, guidance } = out;
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
}
