/**
 * Witness events that read like CloudTrail records (issue 16). The engine's witnesses are minimal:
 * `{"eventName":"CreateRouteTable"}` proves the point but looks like no event anyone has seen. Where a
 * witness is shown to a person (`cis-bot pattern compare`, audit findings), the fields CloudTrail
 * writes in every management-event record (AWS "CloudTrail record contents": the fields not marked
 * optional, plus readOnly and managementEvent) are filled in with plausible values, after the
 * witness's own fields:
 * - never a field either pattern constrains: a field is left alone when a selector of either pattern
 *   names it, a field inside it, or a field it is inside (so `$.userIdentity.type` leaves
 *   `userIdentity.type` to the witness but lets `userIdentity.arn` be added);
 * - then both patterns are evaluated on the decorated event, and the decoration is kept only when
 *   each pattern still says what it said of the bare witness (otherwise the bare witness is shown).
 * Only JSON-object witnesses are decorated: a raw-text witness of a term or space-delimited
 * comparison is a log line, and its exact text is the point.
 */
import type { Comparison, LogEvent } from './api';
import type { JsonExpr, Pattern, SelectorStep } from './ast';
import { matchesLogEvent } from './evaluate';

const ACCOUNT = '111122223333';

/** The event source of the event names a person most often meets here (the CIS section-4 calls). */
const SOURCES: readonly (readonly [string, readonly string[]])[] = [
  ['signin.amazonaws.com', ['ConsoleLogin']],
  [
    'iam.amazonaws.com',
    [
      'DeleteGroupPolicy',
      'DeleteRolePolicy',
      'DeleteUserPolicy',
      'PutGroupPolicy',
      'PutRolePolicy',
      'PutUserPolicy',
      'CreatePolicy',
      'DeletePolicy',
      'CreatePolicyVersion',
      'DeletePolicyVersion',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'AttachUserPolicy',
      'DetachUserPolicy',
      'AttachGroupPolicy',
      'DetachGroupPolicy',
    ],
  ],
  ['cloudtrail.amazonaws.com', ['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging']],
  ['kms.amazonaws.com', ['DisableKey', 'ScheduleKeyDeletion']],
  ['s3.amazonaws.com', ['HeadBucket', 'GetObject', 'PutObject']],
  [
    'config.amazonaws.com',
    ['StopConfigurationRecorder', 'DeleteDeliveryChannel', 'PutDeliveryChannel', 'PutConfigurationRecorder'],
  ],
  [
    'organizations.amazonaws.com',
    [
      'AcceptHandshake',
      'AttachPolicy',
      'CreateAccount',
      'CreateOrganizationalUnit',
      'DeclineHandshake',
      'DeleteOrganization',
      'DeleteOrganizationalUnit',
      'DetachPolicy',
      'DisablePolicyType',
      'EnablePolicyType',
      'InviteAccountToOrganization',
      'LeaveOrganization',
      'MoveAccount',
      'RemoveAccountFromOrganization',
      'UpdatePolicy',
      'UpdateOrganizationalUnit',
    ],
  ],
];
const SOURCE_OF = new Map(SOURCES.flatMap(([source, names]) => names.map((n) => [n, source] as const)));

/** `s3:PutBucketPolicy` and the like: the source of a name we do not list, by its wording. */
function sourceFor(eventName: unknown): string {
  if (typeof eventName !== 'string') return 'ec2.amazonaws.com';
  const known = SOURCE_OF.get(eventName);
  if (known !== undefined) return known;
  if (/Bucket/.test(eventName)) return 's3.amazonaws.com';
  if (/Policy|Role|User|Group/.test(eventName)) return 'iam.amazonaws.com';
  return 'ec2.amazonaws.com';
}

/** The caller, shaped by the identity type the witness already has (a root record has no user name). */
function identityFor(type: unknown): Record<string, unknown> {
  if (type === 'Root') {
    return { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT };
  }
  if (type === 'AssumedRole') {
    return {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEROLE00001:alice',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLEKEY000001',
    };
  }
  return {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEUSER00001',
    arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    accountId: ACCOUNT,
    accessKeyId: 'AKIAEXAMPLEKEY000001',
    userName: 'alice',
  };
}

/** The fields every CloudTrail record has, in CloudTrail's order, with plausible values. */
function everyRecordHas(witness: Readonly<Record<string, unknown>>): [string, unknown][] {
  const identity = witness.userIdentity;
  const type =
    identity !== null && typeof identity === 'object' ? (identity as { type?: unknown }).type : undefined;
  const eventName = typeof witness.eventName === 'string' ? witness.eventName : 'DescribeInstances';
  return [
    ['eventVersion', '1.09'],
    ['userIdentity', identityFor(type)],
    ['eventTime', '2030-01-15T10:00:00Z'],
    ['eventSource', sourceFor(eventName)],
    ['eventName', eventName],
    ['awsRegion', 'us-east-1'],
    ['sourceIPAddress', '203.0.113.10'],
    ['userAgent', 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64'],
    ['requestParameters', null],
    ['responseElements', null],
    ['requestID', '0b1c2d3e-0000-4000-8000-000000000001'],
    ['eventID', '9f8e7d6c-0000-4000-8000-000000000001'],
    ['readOnly', false],
    ['eventType', 'AwsApiCall'],
    ['managementEvent', true],
    ['recipientAccountId', ACCOUNT],
    ['eventCategory', 'Management'],
  ];
}

/** Every selector of a JSON pattern (none for the other families). */
export function selectorsOf(p: Pattern): (readonly SelectorStep[])[] {
  if (p.kind !== 'json') return [];
  const out: (readonly SelectorStep[])[] = [];
  const walk = (e: JsonExpr): void => {
    if (e.kind === 'and' || e.kind === 'or') e.items.forEach(walk);
    else out.push(e.selector);
  };
  walk(p.expr);
  return out;
}

/** Does a selector name this path, a field inside it, or a field it is inside? */
function touches(selector: readonly SelectorStep[], path: readonly string[]): boolean {
  const n = Math.min(selector.length, path.length);
  for (let i = 0; i < n; i++) if (selector[i] !== path[i]) return false;
  return true;
}

function isPlainObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Sets an own property (a field named `__proto__` included) on a fresh object. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `witness` plus every field at `path`-level the selectors leave free, the witness's own fields first. */
function fill(
  witness: Readonly<Record<string, unknown>>,
  additions: readonly [string, unknown][],
  path: readonly string[],
  selectors: readonly (readonly SelectorStep[])[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(witness)) put(out, key, value);
  for (const [key, value] of additions) {
    const at = [...path, key];
    if (selectors.some((s) => touches(s, at) && s.length <= at.length)) continue;
    const mine = Object.hasOwn(witness, key) ? witness[key] : undefined;
    if (Object.hasOwn(witness, key)) {
      // A field the witness has and a selector reaches into (userIdentity.type): fill in beside it.
      if (isPlainObject(mine) && isPlainObject(value))
        put(out, key, fill(mine, Object.entries(value), at, selectors));
      continue;
    }
    if (selectors.some((s) => touches(s, at))) {
      // A selector reaches inside a field the witness leaves absent: an object there keeps every
      // selected field absent, and only one with the free fields can be added.
      if (isPlainObject(value)) put(out, key, fill({}, Object.entries(value), at, selectors));
      continue;
    }
    put(out, key, value);
  }
  return out;
}

/** The witness with CloudTrail's always-present fields, or the witness itself when that would change a verdict. */
function decorate(witness: LogEvent | null, candidate: Pattern, reference: Pattern): LogEvent | null {
  if (witness === null || typeof witness === 'string' || !isPlainObject(witness)) return witness;
  const selectors = [...selectorsOf(candidate), ...selectorsOf(reference)];
  const decorated = fill(witness, everyRecordHas(witness), [], selectors);
  const same = (p: Pattern): boolean => matchesLogEvent(p, decorated) === matchesLogEvent(p, witness);
  return same(candidate) && same(reference) ? decorated : witness;
}

/**
 * The comparison with its witness events (missed, extra) shown as CloudTrail records: the fields
 * CloudTrail always writes added where neither pattern looks, and re-checked with both patterns.
 * A new object: the comparison given (perhaps a cached, frozen one) is not changed.
 */
export function withCloudTrailFields(
  comparison: Comparison,
  candidate: Pattern,
  reference: Pattern,
): Comparison {
  return {
    ...comparison,
    missed: decorate(comparison.missed, candidate, reference),
    extra: decorate(comparison.extra, candidate, reference),
  };
}
