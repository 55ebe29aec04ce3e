/**
 * What one message of the drift-alert queue says: an EventBridge event of a CloudTrail management event
 * ("AWS API Call via CloudTrail") whose call can break a link of a registered control, reduced to the
 * account it affects, who made the call and the links it can break; or why the message is not one
 * (truncated JSON, another kind of event, a call that breaks nothing, a failed call). The links come from
 * the control registry (`linksBrokenBy`), never from a second list. Pure: no I/O.
 */
import { type BrokenLink, breakingEvents } from '../controls';
import type { Control } from '../controls/types';
import { ACCOUNT_ID } from '../inputs';

/** One call that may have broken a chain, as the alert shows it. */
export interface ChainChange {
  /** The EventBridge event id (CloudTrail's eventID when absent). */
  eventId: string;
  /** The account whose chain it may have broken. */
  accountId: string;
  region: string;
  eventSource: string;
  eventName: string;
  /** CloudTrail's eventTime (ISO). */
  eventTime: string;
  /** Who made the call: the identity's ARN (for an assumed role, the session's ARN). */
  principalArn: string;
  sourceIp: string;
  /** The controls' links the call can break (never empty). */
  links: BrokenLink[];
  /** Made in the management account: it can break the chains of every member account. */
  organizationWide: boolean;
  /** An organization-wide call that names no member (DisableAWSServiceAccess): every account is affected. */
  allAccounts: boolean;
}

/**
 * Why a message is ignored, in kind: `malformed` (not an EventBridge CloudTrail event one can read),
 * `foreign` (a well-formed event of another kind), `irrelevant` (a CloudTrail call that failed or cannot
 * break a watched link).
 */
export type IgnoredCategory = 'malformed' | 'foreign' | 'irrelevant';

export type ParsedMessage =
  | { kind: 'change'; change: ChainChange }
  | { kind: 'ignored'; reason: string; category: IgnoredCategory };

const ignored = (reason: string, category: IgnoredCategory = 'malformed'): ParsedMessage => ({
  kind: 'ignored',
  reason,
  category,
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Messages larger than SQS allows cannot come from the queue; refuse them before parsing. */
const MAX_BODY = 262_144;

/** The breaking events of `controls`, by `eventSource eventName`, built once per control set. */
export function breakingIndex(
  controls: Iterable<Control>,
): ReadonlyMap<string, { links: BrokenLink[]; organizationWide: boolean }> {
  return new Map(
    breakingEvents(controls).map((e) => [
      `${e.eventSource} ${e.eventName}`,
      { links: e.affects, organizationWide: e.organizationWide },
    ]),
  );
}

/**
 * Reads one message body. `index` is `breakingIndex(controls)` of the controls the alerts watch, so a
 * call that breaks none of them is ignored with its reason.
 */
export function parseChangeMessage(
  body: string | undefined,
  index: ReturnType<typeof breakingIndex>,
): ParsedMessage {
  if (body === undefined || body.length === 0) return ignored('empty message body');
  if (body.length > MAX_BODY) return ignored(`message body of ${body.length} characters is too large`);
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch (error) {
    return ignored(`not JSON (truncated?): ${(error as Error).message}`);
  }
  if (!isObject(event)) return ignored('not a JSON object');
  const detailType = event['detail-type'];
  if (detailType !== 'AWS API Call via CloudTrail') {
    return ignored(
      `not a CloudTrail API call event (detail-type ${JSON.stringify(detailType ?? null).slice(0, 80)})`,
      detailType === undefined ? 'malformed' : 'foreign',
    );
  }
  const detail = event.detail;
  if (!isObject(detail)) return ignored('the event has no detail object');
  const eventSource = text(detail.eventSource);
  const eventName = text(detail.eventName);
  if (!eventSource || !eventName) return ignored('the event names no eventSource and eventName');
  const call = `${eventSource} ${eventName}`;
  if (text(detail.errorCode)) {
    return ignored(
      `${call} failed (${String(detail.errorCode).slice(0, 80)}): it changed nothing`,
      'irrelevant',
    );
  }
  const breaks = index.get(call);
  if (!breaks) return ignored(`${call} cannot break a link of the watched controls`, 'irrelevant');
  const accountId = text(detail.recipientAccountId) ?? text(event.account);
  if (!accountId || !ACCOUNT_ID.test(accountId)) return ignored('the event names no 12-digit account');
  const identity = isObject(detail.userIdentity) ? detail.userIdentity : {};
  const eventId = text(event.id) ?? text(detail.eventID);
  if (!eventId) return ignored('the event has no id');
  const named = affectedAccount(detail);
  return {
    kind: 'change',
    change: {
      eventId,
      accountId: named ?? accountId,
      region: text(detail.awsRegion) ?? text(event.region) ?? 'unknown',
      eventSource,
      eventName,
      eventTime: text(detail.eventTime) ?? text(event.time) ?? '',
      principalArn: text(identity.arn) ?? text(identity.principalId) ?? text(identity.type) ?? 'unknown',
      sourceIp: text(detail.sourceIPAddress) ?? 'unknown',
      links: breaks.links,
      organizationWide: breaks.organizationWide,
      allAccounts: breaks.organizationWide && named === undefined,
    },
  };
}

/**
 * An organization call made in the management account about one member (RemoveAccountFromOrganization)
 * affects that member, not the caller's account.
 */
function affectedAccount(detail: Record<string, unknown>): string | undefined {
  const params = isObject(detail.requestParameters) ? detail.requestParameters : {};
  const named = text(params.accountId);
  return named && ACCOUNT_ID.test(named) ? named : undefined;
}
