/**
 * Deliveries into SQS queues by AWS services on a resource's behalf (SNS for a topic, EventBridge for a
 * rule): find the queue by ARN, ask its policy whether the service may send for that source, enqueue,
 * and record the attempt in the delivery log (SNS and EventBridge do not tell the publisher either way).
 */
import { evaluatePolicy } from './policy';
import type { Queue } from './sqs-queue';
import { type SandboxState, stableId } from './state';

const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80})$/;

export function queueByArn(state: SandboxState, arn: string): Queue | undefined {
  const m = QUEUE_ARN.exec(arn);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  const q = state.accounts.get(m[2])?.regions.get(m[1])?.queues.get(m[3]);
  return q && !q.deleted ? q : undefined;
}

export interface ServiceSender {
  /** `sns.amazonaws.com` or `events.amazonaws.com`. */
  service: string;
  /** The topic or rule ARN (aws:SourceArn). */
  sourceArn: string;
  sourceAccount: string;
  /** What the delivery log names as the source (the topic ARN, or `events`). */
  logSource: string;
  protocol: string;
  /**
   * Whether a queue without a policy refuses the service (SNS: yes, as AWS). EventBridge routes stand for
   * a rule and its target permission together, so an unset policy accepts them (see README-scenario.md).
   */
  policyRequired: boolean;
}

export function deliverToQueue(
  state: SandboxState,
  queueArn: string,
  body: string,
  from: ServiceSender,
  nextId: () => string,
): 'delivered' | 'denied' | 'missing' {
  const log = (outcome: 'delivered' | 'denied' | 'missing', reason?: string) => {
    state.recordDelivery({
      source: from.logSource,
      protocol: from.protocol,
      endpoint: queueArn,
      outcome,
      ...(reason ? { reason } : {}),
    });
    return outcome;
  };
  const queue = queueByArn(state, queueArn);
  if (!queue) return log('missing', 'The queue does not exist');
  const policy = queue.attributes.Policy;
  if (policy !== undefined || from.policyRequired) {
    const decision = evaluatePolicy(policy, {
      principal: { service: from.service },
      action: 'sqs:SendMessage',
      resource: queue.arn,
      context: { 'aws:SourceArn': from.sourceArn, 'aws:SourceAccount': from.sourceAccount },
    });
    if (decision !== 'allow')
      return log('denied', `The queue policy does not allow ${from.service} to send for ${from.sourceArn}`);
  }
  queue.send({
    id: nextId(),
    body,
    attributes: {},
    senderId: `AIDA${stableId(from.service, 17).toUpperCase()}`,
    sentAt: Date.now(),
  });
  return log('delivered');
}
