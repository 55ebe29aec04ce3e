/**
 * What both writers make of issue 13's example set-up document (events-setup-example.ts): parsed as
 * Terraform and CloudFormation would, the queue, its dead-letter queue, the policy that lets only the
 * rule send, the rules per region and the forwarding role refer to each other as intended.
 */
import { toCloudFormation, toTerraform } from '../../src/core/iac';
import { ACCOUNT, eventsSetupDocument, HUB, PATTERN } from './events-setup-example';
import { block, jsonencoded, parseCfnYaml, parseHcl, reference } from './read-back';

describe('the events set-up document (issue 13), one region', () => {
  const doc = eventsSetupDocument([HUB]);

  test('Terraform: queue with redrive to its DLQ, a policy allowing only the rule, the rule into the queue', async () => {
    const tf = await parseHcl(toTerraform(doc));
    expect(Object.keys(tf.resource).sort()).toEqual([
      'aws_cloudwatch_event_rule',
      'aws_cloudwatch_event_target',
      'aws_iam_policy',
      'aws_sqs_queue',
      'aws_sqs_queue_policy',
    ]);
    const queue = block(tf, 'resource', 'aws_sqs_queue', 'events_queue');
    expect(await jsonencoded(queue.redrive_policy)).toEqual({
      deadLetterTargetArn: { ref: 'aws_sqs_queue.events_dlq.arn' },
      maxReceiveCount: 5,
    });
    const policy = block(tf, 'resource', 'aws_sqs_queue_policy', 'events_queue_policy');
    expect(reference(policy.queue_url)).toBe('aws_sqs_queue.events_queue.url');
    const statement = ((await jsonencoded(policy.policy)) as { Statement: Array<Record<string, unknown>> })
      .Statement[0];
    expect(statement).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { ref: 'aws_sqs_queue.events_queue.arn' },
      Condition: {
        ArnEquals: { 'aws:SourceArn': { ref: 'aws_cloudwatch_event_rule.chain_changes_eu_west_2.arn' } },
      },
    });
    const rule = block(tf, 'resource', 'aws_cloudwatch_event_rule', 'chain_changes_eu_west_2');
    expect(await jsonencoded(rule.event_pattern)).toEqual(PATTERN);
    const target = block(tf, 'resource', 'aws_cloudwatch_event_target', 'chain_changes_eu_west_2_target_1');
    expect(reference(target.rule)).toBe('aws_cloudwatch_event_rule.chain_changes_eu_west_2.name');
    expect(reference(target.arn)).toBe('aws_sqs_queue.events_queue.arn');
    expect(target.role_arn).toBeUndefined();
    expect(tf.output.queue_url[0].value).toBe(`\${aws_sqs_queue.events_queue.url}`);
  });

  test('CloudFormation: one template, references as intrinsics', () => {
    const templates = toCloudFormation(doc, 'yaml');
    expect(templates.map((t) => [t.region, t.deployAfter])).toEqual([[HUB, []]]);
    const t = parseCfnYaml(templates[0]?.body ?? '') as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      Outputs: Record<string, { Value: unknown }>;
      Metadata: { CisBot: { Notes: string[] } };
    };
    expect(Object.fromEntries(Object.entries(t.Resources).map(([k, v]) => [k, v.Type]))).toEqual({
      EventsDlq: 'AWS::SQS::Queue',
      EventsQueue: 'AWS::SQS::Queue',
      EventsQueuePolicy: 'AWS::SQS::QueuePolicy',
      BotConsumer: 'AWS::IAM::ManagedPolicy',
      ChainChangesEuWest2: 'AWS::Events::Rule',
    });
    expect(t.Resources.EventsQueue?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['EventsDlq', 'Arn'] },
      maxReceiveCount: 5,
    });
    const policy = t.Resources.EventsQueuePolicy?.Properties as {
      Queues: unknown;
      PolicyDocument: { Statement: unknown[] };
    };
    expect(policy.Queues).toEqual([{ Ref: 'EventsQueue' }]);
    expect(policy.PolicyDocument.Statement[0]).toMatchObject({
      Resource: { 'Fn::GetAtt': ['EventsQueue', 'Arn'] },
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ChainChangesEuWest2', 'Arn'] } } },
    });
    expect(t.Resources.ChainChangesEuWest2?.Properties).toMatchObject({
      EventPattern: PATTERN,
      State: 'ENABLED',
      Targets: [{ Id: 'cis-bot-queue', Arn: { 'Fn::GetAtt': ['EventsQueue', 'Arn'] } }],
    });
    expect(t.Outputs.QueueUrl?.Value).toEqual({ Ref: 'EventsQueue' });
    expect(t.Metadata.CisBot.Notes).toContain(
      'It creates named IAM resources: deploy it with --capabilities CAPABILITY_NAMED_IAM.',
    );
  });
});

describe('the events set-up document (issue 13), rules in three regions forwarding to one bus', () => {
  const doc = eventsSetupDocument([HUB, 'us-east-1', 'ap-southeast-2']);

  test('Terraform: one provider per region, the forwarding targets assume the hub role', async () => {
    const tf = await parseHcl(toTerraform(doc));
    expect(tf.provider.aws.map((p: { alias: string; region: string }) => [p.alias, p.region])).toEqual([
      ['ap_southeast_2', 'ap-southeast-2'],
      ['eu_west_2', 'eu-west-2'],
      ['us_east_1', 'us-east-1'],
    ]);
    for (const region of ['us-east-1', 'ap-southeast-2']) {
      const name = `chain_changes_${region.replaceAll('-', '_')}`;
      const rule = block(tf, 'resource', 'aws_cloudwatch_event_rule', name);
      expect(reference(rule.provider)).toBe(`aws.${region.replaceAll('-', '_')}`);
      const target = block(tf, 'resource', 'aws_cloudwatch_event_target', `${name}_target_1`);
      expect(target.arn).toBe(`arn:aws:events:${HUB}:${ACCOUNT}:event-bus/default`);
      expect(reference(target.role_arn)).toBe('aws_iam_role.forwarder.arn');
    }
    const role = block(tf, 'resource', 'aws_iam_role', 'forwarder');
    expect(await jsonencoded(role.assume_role_policy)).toMatchObject({
      Statement: [{ Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const put = block(tf, 'resource', 'aws_iam_role_policy', 'forwarder_policy_1');
    expect(reference(put.role)).toBe('aws_iam_role.forwarder.id');
  });

  test('CloudFormation: one template per region, the hub first, the role ARN predicted across regions', () => {
    const templates = toCloudFormation(doc, 'json');
    expect(templates.map((t) => [t.region, t.deployAfter, t.fileName])).toEqual([
      [HUB, [], 'cis-bot.eu-west-2.json'],
      ['ap-southeast-2', [HUB], 'cis-bot.ap-southeast-2.json'],
      ['us-east-1', [HUB], 'cis-bot.us-east-1.json'],
    ]);
    const spoke = JSON.parse(templates[2]?.body ?? '');
    expect(Object.keys(spoke.Resources)).toEqual(['ChainChangesUsEast1']);
    expect(spoke.Resources.ChainChangesUsEast1.Properties.Targets).toEqual([
      {
        Id: 'cis-bot-hub-bus',
        Arn: `arn:aws:events:${HUB}:${ACCOUNT}:event-bus/default`,
        RoleArn: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/cis-bot-event-forwarder` },
      },
    ]);
    expect(spoke.Metadata.CisBot.Notes[0]).toBe(
      'CloudFormation deploys one stack per region: this is template 3 of 3 (eu-west-2, then ap-southeast-2, then us-east-1). Deploy it after the stack(s) of eu-west-2.',
    );
    const hub = JSON.parse(templates[0]?.body ?? '');
    expect(hub.Resources.Forwarder.Type).toBe('AWS::IAM::Role');
    expect(hub.Resources.Forwarder.Properties.Policies[0].PolicyName).toBe('put-on-hub-bus');
  });
});
