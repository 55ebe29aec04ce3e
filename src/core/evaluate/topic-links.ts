/**
 * The last links of a chain: the alarm notifies an SNS topic that exists and lets CloudWatch publish (its
 * access policy, and for an encrypted topic its KMS key: key-policy.ts), and the topic has a confirmed
 * subscriber (a pending one receives nothing).
 */

import { type Alarm, type MetricRef, parseTopicArn } from '../snapshot';
import { type Ctx, notRead, type Path, q } from './chain-path';
import { displayEndpoint } from './endpoint-display';
import type { ChainRef, LinkResult } from './findings';
import { CLOUDWATCH_KEY_STATEMENT, type KeyCheck, topicKeyCheck } from './key-policy';
import { errorLink, fail, pass, warn } from './links';
import { cloudWatchCanPublish } from './topic-policy';

export function topicPaths(
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
      const key = topicKeyCheck(snap, metric.accountId);
      const evidence = {
        topicArn: arn,
        policyAllowsCloudWatch: policy.allows,
        policyCheck: policy.why,
        ...(key ? { kmsKey: keyEvidence(attrs.value.KmsMasterKeyId ?? '', key) } : {}),
      };
      if (key?.status === 'fails') {
        links.push(
          fail(
            'topic',
            `Alarm ${q(alarm.name)} notifies topic ${snap.ref.name}, but CloudWatch cannot publish to it: ${key.why}, so the alarm fires into nothing. Fix: ${key.fix}.`,
            { ...evidence, fix: key.fix },
          ),
        );
        paths.push({ links, chain: topicChain });
        continue;
      }
      const doubts = [
        ...(policy.allows ? [] : [`may not accept CloudWatch's notifications: ${policy.why}`]),
        ...(key?.status === 'unknown'
          ? [`its KMS key could not be checked: ${key.why}${key.action ? ` (grant ${key.action})` : ''}`]
          : []),
      ];
      links.push(
        doubts.length === 0
          ? pass(
              'topic',
              `Alarm ${q(alarm.name)} notifies topic ${snap.ref.name}${key ? ' (its key lets CloudWatch publish)' : ''}.`,
              evidence,
            )
          : warn('topic', `Topic ${snap.ref.name} ${doubts.join('; ')}.`, evidence),
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

function keyEvidence(ref: string, key: KeyCheck) {
  return {
    ref,
    ...(key.keyArn ? { keyArn: key.keyArn } : {}),
    cloudWatchCanUse: key.status === 'allows' ? true : key.status === 'fails' ? false : null,
    check: key.why,
    ...(key.status === 'unknown' && key.action ? { action: key.action } : {}),
    ...(key.status === 'fails' ? { neededStatement: CLOUDWATCH_KEY_STATEMENT } : {}),
  };
}
