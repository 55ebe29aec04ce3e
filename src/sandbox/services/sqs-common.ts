/**
 * What every SQS operation shares: error spelling (query codes, as SQS's awsQueryCompatible errors carry),
 * queue URLs that route back to the sandbox, the queue a URL names (with the cross-account check through
 * the queue policy), and a queue's dead-letter target.
 */
import { ApiError } from '../api-error';
import { evaluatePolicy } from '../policy';
import type { CallContext } from '../service';
import type { Queue, RedriveTarget } from '../sqs-queue';

export const sqsError = (code: string, message: string, status = 400) => new ApiError(code, message, status);
export const invalidValue = (message: string) => sqsError('InvalidParameterValue', message);
export const noQueue = () =>
  sqsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
export const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function queueUrl(ctx: CallContext, q: Queue): string {
  return `http://${ctx.host}/${q.accountId}/${q.name}`;
}

/** The queue a URL names, after checking that the caller may call `action` on it. */
export function queueFromUrl(ctx: CallContext, url: string, action: string): Queue {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw sqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`, 404);
  }
  const [account, name, ...rest] = parsed.pathname.split('/').filter(Boolean);
  if (!account || !name || rest.length > 0 || !/^\d{12}$/.test(account)) throw noQueue();
  const region = /(?:^|\.)sqs\.([a-z0-9-]+)\.amazonaws\.com$/.exec(parsed.hostname)?.[1] ?? ctx.region;
  const q = ctx.state.accounts.get(account)?.regions.get(region)?.queues.get(name);
  if (!q || q.deleted) throw noQueue();
  authorize(ctx, q, action);
  return q;
}

/** Same-account callers need only their IAM policy; other accounts need the queue policy's grant. */
export function authorize(ctx: CallContext, q: Queue, action: string): void {
  if (q.accountId === ctx.caller.accountId) return;
  const decision = evaluatePolicy(q.attributes.Policy, {
    principal: { account: ctx.caller.accountId, arn: ctx.caller.arn },
    action: `sqs:${action}`,
    resource: q.arn,
    context: { 'aws:SourceAccount': ctx.caller.accountId },
  });
  if (decision !== 'allow') throw sqsError('AccessDenied', `Access to the resource ${q.arn} is denied.`, 403);
}

/** The dead-letter queue of a queue's redrive policy, when it still exists. */
export function redriveOf(ctx: CallContext, q: Queue): RedriveTarget | undefined {
  const text = q.attributes.RedrivePolicy;
  if (!text) return undefined;
  const policy = JSON.parse(text) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
  const name = policy.deadLetterTargetArn.split(':').pop() ?? '';
  const dlq = ctx.state.accounts.get(q.accountId)?.regions.get(q.region)?.queues.get(name);
  return dlq && !dlq.deleted ? { queue: dlq, maxReceiveCount: Number(policy.maxReceiveCount) } : undefined;
}
