/**
 * Can CloudWatch publish to this topic? Reads the SNS access policy the way a person would check it:
 * an Allow for `sns:Publish` to `cloudwatch.amazonaws.com` or to any principal (AWS's default policy
 * grants `AWS: *` conditioned on the owner account, which CloudWatch alarms of that account satisfy),
 * and no unconditional Deny. A warning only: IAM evaluation has more corners than this reads.
 */

import { Lru } from '../filter-pattern/lru';

export interface PolicyVerdict {
  allows: boolean;
  why: string;
}

export type Json = Record<string, unknown>;

export function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Compiled globs: each account's policy repeats the same few patterns for every control evaluated. */
const globs = new Lru<string, RegExp>(512);

/** Printable ASCII only: where the case-insensitive comparison below is exactly the `i` regex's. */
const ASCII = /^[\x20-\x7e]*$/;

export function globMatch(pattern: string, value: string): boolean {
  // A pattern without wildcards (a Resource naming the topic itself, unique per account) is compared as
  // text: compiling a regular expression for each account's own ARN was most of a policy decision.
  if (!pattern.includes('*') && !pattern.includes('?') && ASCII.test(pattern) && ASCII.test(value)) {
    return pattern.length === value.length && pattern.toLowerCase() === value.toLowerCase();
  }
  let re = globs.get(pattern);
  if (re === undefined) {
    re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    );
    globs.set(pattern, re);
  }
  return re.test(value);
}

function coversPublish(statement: Json): boolean {
  const actions = list(statement.Action);
  return actions.some((a) => globMatch(a, 'sns:Publish'));
}

function coversTopic(statement: Json, topicArn: string): boolean {
  const resources = list(statement.Resource);
  return resources.length === 0 || resources.some((r) => globMatch(r, topicArn));
}

/** Does the statement's principal include CloudWatch (the service, or everyone)? */
export function coversCloudWatch(statement: Json): boolean {
  const principal = statement.Principal;
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') {
    const p = principal as Json;
    if (list(p.AWS).includes('*')) return true;
    if (list(p.Service).some((s) => s === 'cloudwatch.amazonaws.com')) return true;
  }
  return false;
}

/**
 * What CloudWatch satisfies of a condition key other than the ones every policy shares (`other`): true,
 * false, or undefined for "cannot tell".
 */
export type OtherCondition = (key: string, operator: string, values: string[]) => boolean | undefined;

/**
 * Conditions CloudWatch satisfies when the alarm is in `alarmAccountId` (its source account and alarm
 * ARN), plus what `other` decides; anything else is "cannot tell".
 */
export function conditionSatisfied(
  statement: Json,
  alarmAccountId: string,
  other: OtherCondition = () => undefined,
): boolean | undefined {
  const condition = statement.Condition;
  if (condition === undefined) return true;
  if (!condition || typeof condition !== 'object') return undefined;
  for (const [operator, block] of Object.entries(condition as Json)) {
    if (!block || typeof block !== 'object') return undefined;
    for (const [key, value] of Object.entries(block as Json)) {
      const k = key.toLowerCase();
      if ((k === 'aws:sourceowner' || k === 'aws:sourceaccount') && operator.startsWith('String')) {
        if (!list(value).includes(alarmAccountId)) return false;
      } else if (k === 'aws:sourcearn' && /Like|Equals/.test(operator)) {
        if (!list(value).some((v) => globMatch(v, `arn:aws:cloudwatch:*:${alarmAccountId}:alarm:*`)))
          return false;
      } else {
        const verdict = other(k, operator, list(value));
        if (verdict !== true) return verdict;
      }
    }
  }
  return true;
}

/** The statements of a policy document (a single statement object counts as a list of one). */
export function statementsOf(policy: Json): Json[] {
  const raw = policy.Statement;
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).filter((s): s is Json => !!s && typeof s === 'object');
}

/**
 * The last answer: the controls of a section are evaluated one after the other from one snapshot, so
 * the same topic's policy is asked about 15 times in a row (a verdict is a pure function of the three).
 */
let last:
  | { policyText: string | undefined; topicArn: string; alarmAccountId: string; verdict: PolicyVerdict }
  | undefined;

export function cloudWatchCanPublish(
  policyText: string | undefined,
  topicArn: string,
  alarmAccountId: string,
): PolicyVerdict {
  if (
    last &&
    last.policyText === policyText &&
    last.topicArn === topicArn &&
    last.alarmAccountId === alarmAccountId
  ) {
    return last.verdict;
  }
  const verdict = decideCloudWatchPublish(policyText, topicArn, alarmAccountId);
  last = { policyText, topicArn, alarmAccountId, verdict };
  return verdict;
}

function decideCloudWatchPublish(
  policyText: string | undefined,
  topicArn: string,
  alarmAccountId: string,
): PolicyVerdict {
  if (policyText === undefined || policyText === '') {
    return { allows: false, why: 'the topic has no access policy' };
  }
  let policy: Json;
  try {
    policy = JSON.parse(policyText) as Json;
  } catch {
    return { allows: false, why: 'the topic policy is not valid JSON' };
  }
  const relevant = statementsOf(policy).filter(
    (s) => coversPublish(s) && coversTopic(s, topicArn) && coversCloudWatch(s),
  );
  const deny = relevant.find((s) => s.Effect === 'Deny' && s.Condition === undefined);
  if (deny) return { allows: false, why: `statement ${String(deny.Sid ?? '(no Sid)')} denies sns:Publish` };
  let unsure = false;
  for (const s of relevant.filter((r) => r.Effect === 'Allow')) {
    const ok = conditionSatisfied(s, alarmAccountId);
    if (ok === true)
      return { allows: true, why: `statement ${String(s.Sid ?? '(no Sid)')} allows sns:Publish` };
    if (ok === undefined) unsure = true;
  }
  return unsure
    ? { allows: false, why: 'sns:Publish is allowed only under conditions cis-bot cannot check' }
    : { allows: false, why: 'no statement lets cloudwatch.amazonaws.com call sns:Publish' };
}
