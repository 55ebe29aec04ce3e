/**
 * Can CloudWatch publish to an encrypted topic? SNS encrypts each message with the topic's KMS key on the
 * publisher's behalf, so the key's policy must let `cloudwatch.amazonaws.com` call kms:GenerateDataKey*
 * and kms:Decrypt (AWS SNS docs, "Enable compatibility between event sources from AWS services and
 * encrypted topics"). The AWS managed key alias/aws/sns never does: its policy allows the account's own
 * principals through SNS (`kms:CallerAccount`), not a service principal, and cannot be changed. So a topic
 * on that key, on a customer key whose policy lacks CloudWatch, or on a key that is disabled, pending
 * deletion or gone, passes every other check yet the alarm fires into nothing.
 *
 * `topicKeyCheck` is the one reading of a topic's key, for the audit's topic link and for the
 * remediation's rule on reusing a topic. A key that could not be read (AccessDenied on kms:DescribeKey or
 * kms:GetKeyPolicy) is `unknown`, naming the action: a warning, never a pass.
 */
import type { TopicKeySnapshot, TopicSnapshot } from '../snapshot';
import {
  conditionSatisfied,
  coversCloudWatch,
  globMatch,
  type Json,
  list,
  type OtherCondition,
  statementsOf,
} from './topic-policy';

/** The statement a customer managed key's policy needs so CloudWatch alarms can publish to the topic. */
export const CLOUDWATCH_KEY_STATEMENT = {
  Sid: 'AllowCloudWatchAlarmsToUseTheKey',
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  Resource: '*',
} as const;

/** What CloudWatch must be allowed, each (SNS asks KMS for a data key, then decrypts it). */
const NEEDED = ['kms:GenerateDataKey', 'kms:Decrypt'];

export type KeyCheck =
  /** CloudWatch can use the key. */
  | { status: 'allows'; why: string; keyArn: string }
  /** It cannot: the link fails, with `fix`. */
  | { status: 'fails'; why: string; fix: string; keyArn?: string }
  /** cis-bot could not tell (a read was refused or failed, or conditions it cannot evaluate). */
  | { status: 'unknown'; why: string; action?: string; keyArn?: string };

/**
 * Conditions a KMS key policy may set that CloudWatch (publishing through SNS) satisfies: the call comes
 * via SNS in the key's region; the caller account of a service principal is not the customer's account,
 * which is why alias/aws/sns (conditioned on `kms:CallerAccount`) never lets CloudWatch in.
 */
const kmsCondition: OtherCondition = (key, operator, values) => {
  if (key === 'kms:viaservice' && /StringEquals|StringLike/.test(operator))
    return values.some((v) => globMatch(v, 'sns.*.amazonaws.com'));
  if (key === 'kms:calleraccount') return false;
  return undefined;
};

/** Does the key policy let CloudWatch (an alarm of `alarmAccountId`) use the key for SNS? */
export function cloudWatchCanUseKey(
  policyText: string,
  keyArn: string,
  alarmAccountId: string,
): { allows: boolean | undefined; why: string } {
  let policy: Json;
  try {
    policy = JSON.parse(policyText) as Json;
  } catch {
    return { allows: false, why: 'the key policy is not valid JSON' };
  }
  const onKey = (s: Json) => {
    const resources = list(s.Resource);
    return resources.length === 0 || resources.some((r) => globMatch(r, keyArn));
  };
  const statements = statementsOf(policy).filter((s) => coversCloudWatch(s) && onKey(s));
  let unsure = false;
  for (const action of NEEDED) {
    const relevant = statements.filter((s) => list(s.Action).some((a) => globMatch(a, action)));
    const deny = relevant.find((s) => s.Effect === 'Deny' && s.Condition === undefined);
    if (deny) return { allows: false, why: `statement ${String(deny.Sid ?? '(no Sid)')} denies ${action}` };
    const verdicts = relevant
      .filter((s) => s.Effect === 'Allow')
      .map((s) => conditionSatisfied(s, alarmAccountId, kmsCondition));
    if (verdicts.includes(true)) continue;
    if (verdicts.includes(undefined)) {
      unsure = true;
      continue;
    }
    return { allows: false, why: `no statement lets cloudwatch.amazonaws.com call ${action}` };
  }
  return unsure
    ? { allows: undefined, why: 'CloudWatch is allowed only under conditions cis-bot cannot check' }
    : { allows: true, why: 'the key policy lets cloudwatch.amazonaws.com use the key' };
}

const statementText = JSON.stringify(CLOUDWATCH_KEY_STATEMENT);

function customerKeyFix(topicArn: string): string {
  return `encrypt the topic with a customer managed key whose policy has ${statementText} (aws sns set-topic-attributes --topic-arn ${topicArn} --attribute-name KmsMasterKeyId --attribute-value <key ARN>)`;
}

/** The topic's key, judged for CloudWatch; undefined for a topic that is not encrypted. */
export function topicKeyCheck(topic: TopicSnapshot, alarmAccountId: string): KeyCheck | undefined {
  const ref = topic.attributes.ok ? topic.attributes.value.KmsMasterKeyId : undefined;
  if (!ref) return undefined;
  const key: TopicKeySnapshot | undefined = topic.key;
  if (!key)
    return { status: 'unknown', why: `the topic's key ${ref} was not read`, action: 'kms:DescribeKey' };
  if (!key.key.ok) {
    const e = key.key.error;
    if (e.kind === 'not-found') {
      return {
        status: 'fails',
        why: `the topic's key ${ref} does not exist, so SNS cannot encrypt the alarm's notifications`,
        fix: customerKeyFix(topic.ref.arn),
      };
    }
    return { status: 'unknown', why: `cannot read the topic's key ${ref}: ${e.message}`, action: e.action };
  }
  const info = key.key.value;
  if (info.manager === 'AWS') {
    return {
      status: 'fails',
      keyArn: info.arn,
      why: `the topic is encrypted with the AWS managed key ${ref}, whose policy does not let cloudwatch.amazonaws.com use it (and cannot be changed)`,
      fix: customerKeyFix(topic.ref.arn),
    };
  }
  if (info.state !== 'Enabled') {
    const fix =
      info.state === 'PendingDeletion'
        ? `cancel the deletion (aws kms cancel-key-deletion --key-id ${info.arn}) and enable the key`
        : `enable the key (aws kms enable-key --key-id ${info.arn})`;
    return {
      status: 'fails',
      keyArn: info.arn,
      why: `the topic's key ${ref} is ${info.state}, so SNS cannot encrypt the alarm's notifications`,
      fix,
    };
  }
  if (!key.policy)
    return {
      status: 'unknown',
      keyArn: info.arn,
      why: 'the key policy was not read',
      action: 'kms:GetKeyPolicy',
    };
  if (!key.policy.ok) {
    const e = key.policy.error;
    return {
      status: 'unknown',
      keyArn: info.arn,
      why: `cannot read the policy of key ${ref}: ${e.message}`,
      action: e.action,
    };
  }
  const verdict = cloudWatchCanUseKey(key.policy.value, info.arn, alarmAccountId);
  if (verdict.allows === true) return { status: 'allows', keyArn: info.arn, why: verdict.why };
  if (verdict.allows === undefined)
    return { status: 'unknown', keyArn: info.arn, why: `key ${ref}: ${verdict.why}` };
  return {
    status: 'fails',
    keyArn: info.arn,
    why: `the policy of the topic's key ${ref} does not let CloudWatch use it (${verdict.why})`,
    fix: `add to the key policy ${statementText} (aws kms put-key-policy --key-id ${info.arn} --policy-name default --policy file://policy.json)`,
  };
}
