/**
 * SNS AddPermission / RemovePermission: statements of the topic policy labelled by `Sid`, granting other
 * accounts SNS actions. RemovePermission can take CloudWatch's grant away, one of the chain-breaking calls.
 */
import type { Input } from '../input';
import type { CallContext } from '../service';
import { findTopic, invalid } from './sns-common';

interface PolicyDoc {
  Version?: string;
  Id?: string;
  Statement?: Record<string, unknown>[];
}

function policyOf(text: string | undefined): PolicyDoc {
  const doc = JSON.parse(text ?? '{}') as PolicyDoc;
  doc.Statement = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  return doc;
}

export function addPermission(ctx: CallContext, input: Input) {
  const topic = findTopic(ctx, input.reqStr('TopicArn'));
  const label = input.reqStr('Label');
  const accounts = input.strList('AWSAccountId') ?? [];
  const actions = input.strList('ActionName') ?? [];
  if (accounts.length === 0 || actions.length === 0)
    throw invalid('Invalid parameter: AWSAccountId and ActionName are required');
  const doc = policyOf(topic.attributes.Policy);
  if (doc.Statement?.some((s) => s.Sid === label))
    throw invalid('Invalid parameter: Statement already exists');
  doc.Statement?.push({
    Sid: label,
    Effect: 'Allow',
    Principal: { AWS: accounts.map((a) => `arn:aws:iam::${a}:root`) },
    Action: actions.map((a) => `SNS:${a}`),
    Resource: topic.arn,
  });
  topic.attributes.Policy = JSON.stringify(doc);
  ctx.changed([topic.arn]);
  return undefined;
}

/** A label the policy does not have is InvalidParameter (the sandbox's choice: AWS does not document it). */
export function removePermission(ctx: CallContext, input: Input) {
  const topic = findTopic(ctx, input.reqStr('TopicArn'));
  const label = input.reqStr('Label');
  const doc = policyOf(topic.attributes.Policy);
  const kept = (doc.Statement ?? []).filter((s) => s.Sid !== label);
  if (kept.length === doc.Statement?.length) throw invalid(`Invalid parameter: Label ${label} not found`);
  doc.Statement = kept;
  topic.attributes.Policy = JSON.stringify(doc);
  ctx.changed([topic.arn]);
  return undefined;
}
