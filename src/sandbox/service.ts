/**
 * What an emulated service is made of: its operations (pure handlers over the live state), the IAM
 * action prefix, how it names a bad input member, and which resource an AccessDenied message names.
 * Also the shared pagination helper (opaque tokens that encode the last key, omitted on the last page).
 */
import { ApiError } from './api-error';
import type { Fail, Input } from './input';
import type { SandboxState, SessionState } from './state';

export type ServiceName =
  | 'cloudtrail'
  | 'logs'
  | 'monitoring'
  | 'sns'
  | 'sts'
  | 'sqs'
  | 'kms'
  | 'organizations'
  | 'securityhub';

/** Who is calling: resolved from the access key id of the request's SigV4 credential. */
export interface Caller {
  accountId: string;
  arn: string;
  userId: string;
  accessKeyId: string;
  deniedActions: string[];
  session?: SessionState;
  /** The role behind an AssumeRole session (CloudTrail's sessionIssuer). */
  roleArn?: string;
}

export interface CallContext {
  state: SandboxState;
  caller: Caller;
  region: string;
  /** The operation's IAM action as AWS spells it in messages (e.g. `logs:DescribeMetricFilters`, `SNS:Publish`). */
  action: string;
  requestId: string;
  /** A fresh id from the sandbox's seeded sequence (subscription ids, session keys). */
  nextId(): string;
  /** `host[:port]` the client reached the sandbox at (SQS queue URLs are built on it so they route back). */
  host: string;
  /** Aborted when the sandbox stops or the client goes away: long polls end at once. */
  signal: AbortSignal;
  /**
   * Marks this call as one that changed state (a CloudTrail management event would be recorded, and the
   * chain-change event routing may forward it); `resources` are the ARNs the event names.
   */
  changed(resources?: string[]): void;
}

export type Output = Record<string, unknown> | undefined;
/** Returns the output members; undefined for a unit output. Long-polling operations return a promise. */
export type Handler = (ctx: CallContext, input: Input) => Output | Promise<Output>;

/** A REST operation's HTTP binding (Security Hub): method and path as the SDK's operation definition gives them. */
export interface RestRoute {
  method: string;
  path: string;
  operation: string;
}

export interface ServiceDef {
  name: ServiceName;
  /** The IAM action prefix (`cloudwatch` for the `monitoring` endpoint). */
  iamPrefix: string;
  operations: Record<string, Handler>;
  fail: Fail;
  /** The resource ARN an AccessDenied message names for this call. */
  resource(operation: string, ctx: CallContext, input: Input): string;
  /** REST-JSON services only: how requests map to operations. */
  rest?: readonly RestRoute[];
}

/** Case-insensitive match of an IAM action against a denied-action entry with `*`/`?` globs. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
    'i',
  );
  return re.test(action);
}

export function isDenied(caller: Caller, action: string): boolean {
  return caller.deniedActions.some((p) => actionMatches(p, action));
}

export function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    return typeof parsed.after === 'string' ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One page of `items` (already sorted by `key`). The token names the last key served, so items added or
 * removed between pages neither repeat nor vanish. The token is omitted on the last page, as AWS does
 * (the SDK paginators stop only on a missing token).
 */
export function paginate<T>(
  items: T[],
  key: (item: T) => string,
  token: string | undefined,
  limit: number,
  badToken: () => ApiError,
): { page: T[]; nextToken?: string } {
  let start = 0;
  if (token !== undefined) {
    const after = decodeToken(token);
    if (after === undefined) throw badToken();
    start = items.findIndex((item) => key(item) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + limit);
  const last = page[page.length - 1];
  if (start + limit < items.length && last !== undefined) return { page, nextToken: encodeToken(key(last)) };
  return { page };
}

/** AWS's bean-validation style message for a constraint on a member. */
export function validationMessage(member: string, value: unknown, constraint: string): string {
  return `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`;
}

export function checkRange(
  fail: (message: string) => ApiError,
  member: string,
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined) return;
  if (value < min)
    throw fail(validationMessage(member, value, `Member must have value greater than or equal to ${min}`));
  if (value > max)
    throw fail(validationMessage(member, value, `Member must have value less than or equal to ${max}`));
}

export { ApiError };
