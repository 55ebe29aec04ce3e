/**
 * What the SNS operations share: error spelling, topic ARNs, and the topic a call names with the access
 * rule (same account: IAM; another account: the topic policy's grant).
 */
import { ApiError } from '../api-error';
import { evaluatePolicy } from '../policy';
import type { CallContext } from '../service';
import type { SandboxState, TopicState } from '../state';

export const invalid = (message: string) => new ApiError('InvalidParameter', message);
export const notFound = (what = 'Topic') => new ApiError('NotFound', `${what} does not exist`, 404);
export const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/;
/** Finds a topic by ARN anywhere in the sandbox (used by Sandbox.confirmSubscription too). */
export function findTopicIn(state: SandboxState, arn: string): TopicState {
  const m = TOPIC_ARN.exec(arn);
  if (!m?.[1] || !m[2] || !m[3]) throw invalid('Invalid parameter: TopicArn');
  const topic = state.accounts.get(m[2])?.regions.get(m[1])?.topics.get(m[3]);
  if (!topic) throw notFound();
  return topic;
}

/**
 * The topic a call names: it must be in the call's region (else InvalidParameter, as AWS answers); a
 * caller of another account needs the topic policy's grant of the action (else AuthorizationError).
 */
export function findTopic(ctx: CallContext, arn: string): TopicState {
  const m = TOPIC_ARN.exec(arn);
  if (!m?.[1] || !m[2] || m[1] !== ctx.region) throw invalid('Invalid parameter: TopicArn');
  if (m[2] === ctx.caller.accountId) return findTopicIn(ctx.state, arn);
  const topic = ctx.state.accounts
    .get(m[2])
    ?.regions.get(m[1])
    ?.topics.get(m[3] ?? '');
  const decision = topic
    ? evaluatePolicy(topic.attributes.Policy, {
        principal: { account: ctx.caller.accountId, arn: ctx.caller.arn },
        action: ctx.action,
        resource: arn,
        context: {},
      })
    : 'implicit-deny';
  if (!topic || decision !== 'allow') {
    throw new ApiError(
      'AuthorizationError',
      `User: ${ctx.caller.arn} is not authorized to perform: ${ctx.action} on resource: ${arn} because no resource-based policy allows the ${ctx.action} action`,
      403,
    );
  }
  return topic;
}
