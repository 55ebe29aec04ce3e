/**
 * The two writers on hand-built documents, for what real plans do not exercise: a document spanning
 * regions (Terraform provider aliases; one CloudFormation template per region, references across them
 * predicted as ARNs, deployment order), the names each language gets, and the model checks both writers
 * share (the same refusals, with messages that say what to fix).
 */
import {
  type IacDocument,
  IacModelError,
  type Resource,
  ref,
  toCloudFormation,
  toTerraform,
  validateDocument,
} from '../../src/core/iac';
import { cisAlarm } from './fixtures';
import { block, parseCfnYaml, parseHcl, reference } from './read-back';

const topic = (id: string, region: string, name = id): Resource => ({ kind: 'sns-topic', id, region, name });

/** An alarm notifying the topics `actions` (ids of this document). */
function alarm(id: string, region: string, actions: string[], name = id): Resource {
  return cisAlarm(
    id,
    region,
    actions.map((a) => ref(a, 'arn')),
    { name },
  );
}

function doc(resources: Resource[], extra: Partial<IacDocument> = {}): IacDocument {
  return { description: 'test', notes: [], inputs: [], resources, outputs: [], ...extra };
}

describe('a document spanning two regions', () => {
  // The alarm in us-east-1 notifies a topic created in eu-west-1.
  const twoRegions = doc(
    [topic('alerts', 'eu-west-1'), alarm('watch', 'us-east-1', ['alerts'], `watch \${x}`)],
    {
      accountId: '123456789012',
    },
  );

  test('Terraform: one file, a provider per region, references across regions as expressions', async () => {
    const tf = await parseHcl(toTerraform(twoRegions));
    expect(tf.provider.aws.map((p: { alias: string }) => p.alias)).toEqual(['eu_west_1', 'us_east_1']);
    const watch = block(tf, 'resource', 'aws_cloudwatch_metric_alarm', 'watch');
    expect(reference(watch.provider)).toBe('aws.us_east_1');
    expect(watch.alarm_actions.map(reference)).toEqual(['aws_sns_topic.alerts.arn']);
    expect(reference(block(tf, 'resource', 'aws_sns_topic', 'alerts').provider)).toBe('aws.eu_west_1');
  });

  test('CloudFormation: a template per region, the referenced one first, its ARN predicted', () => {
    const templates = toCloudFormation(twoRegions, 'yaml');
    expect(templates.map((t) => [t.region, t.deployAfter])).toEqual([
      ['eu-west-1', []],
      ['us-east-1', ['eu-west-1']],
    ]);
    const second = parseCfnYaml(templates[1]?.body ?? '') as {
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    expect(second.Resources.Watch?.Properties.AlarmActions).toEqual([
      { 'Fn::Sub': `arn:\${AWS::Partition}:sns:eu-west-1:\${AWS::AccountId}:alerts` },
    ]);
    // The alarm's own name keeps a literal `${` (in Fn::Sub it would be `${!`); as a plain property it is as is.
    expect(second.Resources.Watch?.Properties.AlarmName).toBe(`watch \${x}`);
    expect(templates[1]?.body).toContain('template 2 of 2 (eu-west-1, then us-east-1)');
  });

  test('a predicted ARN escapes `${` for Fn::Sub', () => {
    const reversed = doc([topic('alerts', 'eu-west-1', `a\${b}`), alarm('watch', 'us-east-1', ['alerts'])]);
    const second = JSON.parse(toCloudFormation(reversed, 'json')[1]?.body ?? '');
    expect(second.Resources.Watch.Properties.AlarmActions).toEqual([
      { 'Fn::Sub': `arn:\${AWS::Partition}:sns:eu-west-1:\${AWS::AccountId}:a\${!b}` },
    ]);
  });

  test('templates that need each other are refused: no region can go first', () => {
    const cycle = doc([
      topic('a', 'eu-west-1'),
      topic('b', 'us-east-1'),
      alarm('watch-a', 'eu-west-1', ['b']),
      alarm('watch-b', 'us-east-1', ['a']),
    ]);
    expect(() => toCloudFormation(cycle, 'yaml')).toThrow(/eu-west-1, us-east-1 refer to each other/);
    // Terraform has no such limit: one configuration, one graph.
    expect(() => toTerraform(cycle)).not.toThrow();
  });

  test('a subscription ARN cannot be predicted in another template', () => {
    const sub: Resource = {
      kind: 'sns-subscription',
      id: 'sub',
      region: 'eu-west-1',
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
      protocol: 'sqs',
      endpoint: 'arn:aws:sqs:eu-west-1:123456789012:q',
    };
    const d = doc([sub], { outputs: [] });
    const other = doc([
      sub,
      { ...(alarm('watch', 'us-east-1', []) as object), alarmActions: [ref('sub', 'arn')] } as Resource,
    ]);
    expect(() => toCloudFormation(d, 'yaml')).not.toThrow();
    expect(() => toCloudFormation(other, 'yaml')).toThrow(
      /cannot be referenced by its arn from the us-east-1 template/,
    );
  });
});

describe('YAML that CloudFormation reads', () => {
  test('a value used twice is written twice: no anchors or aliases', () => {
    const shared = { source: ['aws.cloudtrail'] };
    const rule = (id: string): Resource => ({
      kind: 'event-rule',
      id,
      region: 'eu-west-1',
      name: id,
      eventPattern: shared,
      targets: [{ id: 'q', arn: 'arn:aws:sqs:eu-west-1:123456789012:q' }],
    });
    const [yaml] = toCloudFormation(doc([rule('one'), rule('two')]), 'yaml');
    expect(yaml?.body).not.toMatch(/[&*]a\d/);
    expect(yaml?.body.match(/- aws\.cloudtrail/g)).toHaveLength(2);
  });
});

describe('names', () => {
  test('ids become snake_case Terraform labels and PascalCase logical ids', async () => {
    const d = doc([topic('cis-4-1-topic', 'eu-west-1')], {
      outputs: [{ id: 'cis-4-1-topic-arn', description: 'arn', value: ref('cis-4-1-topic', 'arn') }],
    });
    const tf = await parseHcl(toTerraform(d));
    expect(Object.keys(tf.resource.aws_sns_topic)).toEqual(['cis_4_1_topic']);
    expect(Object.keys(tf.output)).toEqual(['cis_4_1_topic_arn']);
    const cfn = JSON.parse(toCloudFormation(d, 'json')[0]?.body ?? '');
    expect(Object.keys(cfn.Resources)).toEqual(['Cis41Topic']);
    expect(cfn.Outputs.Cis41TopicArn.Value).toEqual({ Ref: 'Cis41Topic' });
    // A Ref that lost its class (a structured clone) is refused, never written as an empty string.
    expect(() => toTerraform(structuredClone(d))).toThrow(/neither a string nor a Ref/);
  });
});

describe('the model checks both writers run', () => {
  const refusals: Array<[string, IacDocument, RegExp]> = [
    [
      'an id that is not kebab-case',
      doc([topic('Alerts_1', 'eu-west-1')]),
      /Id "Alerts_1" is not lower-case words/,
    ],
    ['an id used twice', doc([topic('a', 'eu-west-1'), topic('a', 'us-east-1')]), /Id "a" is used twice/],
    [
      'ids that collide once converted',
      doc([topic('a-1', 'eu-west-1'), topic('a1', 'eu-west-1')]),
      /Ids "a-1" and "a1" both become the CloudFormation logical id A1/,
    ],
    ['a bad region', doc([topic('a', 'Frankfurt')]), /"Frankfurt" is not an AWS region name/],
    [
      'a reference to nothing',
      doc([alarm('w', 'eu-west-1', ['gone'])]),
      /refers to "gone", which is not in the document/,
    ],
    [
      'an attribute the kind does not offer',
      doc([
        { ...(alarm('w', 'eu-west-1', []) as object), alarmActions: [ref('t', 'url')] } as Resource,
        topic('t', 'eu-west-1'),
      ]),
      /reads "url" of sns-topic "t", which offers: arn, name/,
    ],
    [
      'a topic input in another account',
      doc([], {
        accountId: '111111111111',
        inputs: [
          {
            kind: 'existing-sns-topic',
            id: 't',
            arn: 'arn:aws:sns:eu-west-1:222222222222:x',
            description: 'x',
          },
        ],
      }),
      /not in the document's account 111111111111; pass it as a variable instead/,
    ],
    [
      'a replacement of a kind neither writer can adopt',
      doc([{ ...topic('t', 'eu-west-1'), replaces: { summary: 'old' } } as Resource]),
      /only a metric filter or an alarm can replace an existing resource/,
    ],
    [
      'a number no language can write',
      doc([{ ...(alarm('w', 'eu-west-1', []) as object), period: Number.NaN } as Resource]),
      /is NaN/,
    ],
  ];

  test.each(refusals)('%s', (_what, bad, message) => {
    expect(() => validateDocument(bad)).toThrow(message);
    expect(() => toTerraform(bad)).toThrow(IacModelError);
    expect(() => toCloudFormation(bad, 'yaml')).toThrow(message);
  });

  test('CloudFormation needs something to create', () => {
    expect(() => toCloudFormation(doc([]), 'json')).toThrow(/creates nothing/);
  });
});
