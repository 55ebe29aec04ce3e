/**
 * Quoting, over arbitrary strings: whatever a filter pattern, a name, a description, a JSON key or value
 * or a comment holds, the parser of each language reads back exactly that string, and a comment never
 * leaks into the code. HCL is read with HashiCorp's parser (@cdktf/hcl2json), YAML under both YAML 1.2
 * and 1.1, JSON with JSON.parse.
 */
import fc from 'fast-check';
import {
  type IacDocument,
  IacModelError,
  quoteHcl,
  ref,
  toCloudFormation,
  toTerraform,
} from '../../src/core/iac';
import { cisAlarm } from './fixtures';
import { block, jsonencoded, literal, parseCfnYaml, parseHcl } from './read-back';

/** The characters that matter to one language or another, and a few that matter to none. */
const SPECIAL = [
  ...'{}[]()$%"\'\\*|&!=<>?:#,.-~`@^ \n\r\t',
  '${',
  '%{',
  '$${',
  '}}',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufffe',
  'é',
  '😀',
  'yes',
  'null',
  '2010-09-09',
  '1e3',
  '0x1F',
  '- ',
  ': ',
  ' #',
  '---',
  '...',
];

const LONE_SURROGATE = /\p{Cs}/u;

const text = fc
  .oneof(
    fc.constantFrom(...SPECIAL),
    fc.string({ unit: fc.constantFrom(...SPECIAL), maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
  )
  .filter((s) => !LONE_SURROGATE.test(s));

/** HCL reads every string as Unicode NFC (see the refusal below); CloudFormation keeps any string. */
const nfc = text.filter((s) => s === s.normalize('NFC'));

/** One filter, one alarm, one rule: every place a free string can go. */
function documentWith(s: string): IacDocument {
  return {
    description: s,
    accountId: '123456789012',
    notes: [s],
    inputs: [{ kind: 'existing-log-group', id: 'logs', region: 'eu-west-1', name: s, description: s }],
    resources: [
      {
        kind: 'log-metric-filter',
        id: 'filter',
        region: 'eu-west-1',
        comment: s,
        name: s,
        logGroupName: ref('logs', 'name'),
        pattern: s,
        metricTransformations: [{ metricName: s, metricNamespace: s, metricValue: '1' }],
      },
      cisAlarm('alarm', 'eu-west-1', [s], { comment: s, description: s, metricName: s }),
      {
        kind: 'event-rule',
        id: 'rule',
        region: 'eu-west-1',
        name: 'rule',
        eventPattern: { detail: { [s]: [s, { prefix: s }] } },
        targets: [{ id: 'queue', arn: 'arn:aws:sqs:eu-west-1:123456789012:q' }],
      },
    ],
    outputs: [],
  };
}

const RUNS = { numRuns: 150 };

describe('quoting survives any string', () => {
  test('Terraform: HCL reads back every string exactly, comments stay comments', async () => {
    await fc.assert(
      fc.asyncProperty(nfc, async (s) => {
        const tf = await parseHcl(toTerraform(documentWith(s)));
        const filter = block(tf, 'resource', 'aws_cloudwatch_log_metric_filter', 'filter');
        expect(literal(filter.pattern)).toBe(s);
        expect(literal(filter.name)).toBe(s);
        expect(literal(filter.metric_transformation[0].name)).toBe(s);
        expect(literal(block(tf, 'data', 'aws_cloudwatch_log_group', 'logs').name)).toBe(s);
        const alarm = block(tf, 'resource', 'aws_cloudwatch_metric_alarm', 'alarm');
        expect(literal(alarm.alarm_description)).toBe(s);
        expect(alarm.alarm_actions.map(literal)).toEqual([s]);
        const rule = block(tf, 'resource', 'aws_cloudwatch_event_rule', 'rule');
        expect(await jsonencoded(rule.event_pattern)).toEqual({ detail: { [s]: [s, { prefix: s }] } });
        // Nothing from a comment became a block.
        expect(Object.keys(tf).sort()).toEqual(['data', 'provider', 'resource', 'terraform']);
        expect(Object.keys(tf.resource).sort()).toEqual([
          'aws_cloudwatch_event_rule',
          'aws_cloudwatch_event_target',
          'aws_cloudwatch_log_metric_filter',
          'aws_cloudwatch_metric_alarm',
        ]);
      }),
      RUNS,
    );
  });

  test('CloudFormation: YAML (1.2 and 1.1) and JSON read back every string exactly', () => {
    fc.assert(
      fc.property(text, (s) => {
        const doc = documentWith(s);
        const [yaml] = toCloudFormation(doc, 'yaml');
        const [json] = toCloudFormation(doc, 'json');
        const template = parseCfnYaml(yaml?.body ?? '') as {
          Resources: Record<string, { Properties: Record<string, unknown> }>;
          Parameters: Record<string, { Default: string }>;
          Metadata: { CisBot: { Notes: string[] } };
        };
        expect(JSON.parse(json?.body ?? '')).toEqual(template);
        expect(Object.keys(template.Resources)).toEqual(['Filter', 'Alarm', 'Rule']);
        const filter = template.Resources.Filter?.Properties ?? {};
        expect(filter.FilterPattern).toBe(s);
        expect(filter.FilterName).toBe(s);
        expect(template.Parameters.Logs?.Default).toBe(s);
        expect(template.Resources.Alarm?.Properties.AlarmDescription).toBe(s);
        expect(template.Resources.Alarm?.Properties.AlarmActions).toEqual([s]);
        expect(template.Resources.Rule?.Properties.EventPattern).toEqual({
          detail: { [s]: [s, { prefix: s }] },
        });
        expect(template.Metadata.CisBot.Notes).toContain(s);
      }),
      RUNS,
    );
  });
});

describe('quoting, exactly', () => {
  test('HCL doubles the template introducers and escapes quotes, backslashes and controls', () => {
    expect(quoteHcl(`{ $.a = "x" } \${v} %{if} $$ %% \\ \n\t\u0001`)).toBe(
      '"{ $.a = \\"x\\" } $${v} %%{if} $$ %% \\\\ \\n\\t\\u0001"',
    );
  });

  test('YAML quotes what YAML 1.1 would read as something else, and leaves plain words plain', () => {
    const [yaml] = toCloudFormation(documentWith('yes'), 'yaml');
    const body = yaml?.body ?? '';
    expect(body).toContain('AWSTemplateFormatVersion: "2010-09-09"');
    expect(body).toContain('FilterPattern: "yes"');
    expect(body).toContain('Type: AWS::Logs::MetricFilter');
    const [u2028] = toCloudFormation(documentWith('a\u2028b\u0085c'), 'yaml');
    expect(u2028?.body).toContain('FilterPattern: "a\\u2028b\\u0085c"');
    expect(u2028?.body).not.toMatch(/[\u0085\u2028]/);
  });

  test('Terraform refuses a string HCL would change (not NFC); CloudFormation keeps it', async () => {
    const compatibility = '{ $.eventName = "\uf900" }'; // U+F900 reads back from HCL as U+8C48
    expect(compatibility.normalize('NFC')).not.toBe(compatibility);
    // The parser really does change it: the refusal is not a guess.
    const tf = await parseHcl(`a = ${quoteHcl(compatibility)}\n`);
    expect(tf.a).toBe(compatibility.normalize('NFC'));
    expect(() => toTerraform(documentWith(compatibility))).toThrow(/^logs\.name is not in Unicode NFC/);
    const [yaml] = toCloudFormation(documentWith(compatibility), 'yaml');
    expect(
      (parseCfnYaml(yaml?.body ?? '') as { Resources: { Filter: { Properties: { FilterPattern: string } } } })
        .Resources.Filter.Properties.FilterPattern,
    ).toBe(compatibility);
  });

  test('a lone surrogate, which no file can carry, is refused before writing', () => {
    expect(() => toTerraform(documentWith('a\ud800b'))).toThrow(IacModelError);
    expect(() => toCloudFormation(documentWith('a\ud800b'), 'yaml')).toThrow(/lone UTF-16 surrogate/);
  });
});
