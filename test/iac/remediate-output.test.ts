/**
 * `cis-bot remediate 4.1 --output terraform|cloudformation|cloudformation-json`, in-process through
 * commander against the real sandbox: the plan's missing resources come out as a template the tools'
 * parsers read (HCL through @cdktf/hcl2json, YAML, JSON), with the filter pattern EQUIVALENT to the CIS
 * pattern after quoting; nothing is requested for approval; a compliant account writes nothing (exit
 * 0), a plan cis-bot would not offer is refused saying what to do first (exit 2).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../adapters/cli/main';
import { getMetricFilterControl } from '../../src/core/controls';
import { comparePatterns } from '../../src/core/filter-pattern';
import { openStore } from '../../src/store';
import {
  brokenScenario,
  compliantRegion,
  configDoc,
  scenarioWith,
  TOPIC_ARN,
  tempDir,
} from '../remediation/helpers';
import { cliSink } from '../support/cli-process';
import { block, literal, parseCfnYaml, parseHcl, reference } from './read-back';

const CIS = getMetricFilterControl('4.1').pattern;
const tmp = tempDir();
const broken = join(tmp.dir, 'broken.yaml');
const compliant = join(tmp.dir, 'compliant.yaml');
const unsubscribed = join(tmp.dir, 'unsubscribed.yaml');
const configFile = join(tmp.dir, 'cis-bot.yaml');
const noSubscriberConfig = join(tmp.dir, 'no-subscriber.yaml');
const db = join(tmp.dir, 'cli.db');
const env = { CIS_BOT_CONFIG: configFile, CIS_BOT_DB: db };

beforeAll(() => {
  writeFileSync(broken, stringify(brokenScenario(['filter', 'alarm', 'topic'])));
  writeFileSync(compliant, stringify(scenarioWith(compliantRegion())));
  writeFileSync(unsubscribed, stringify(brokenScenario(['subscription'])));
  writeFileSync(configFile, stringify(configDoc()));
  writeFileSync(noSubscriberConfig, stringify(configDoc({ remediation: {} })));
});
afterAll(() => tmp.remove());

async function cli(environment: NodeJS.ProcessEnv, ...argv: string[]) {
  const io = cliSink(environment);
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err };
}

test('--output terraform prints the missing resources as HCL whose pattern survives quoting', async () => {
  const r = await cli(env, 'remediate', '4.1', '--sandbox', broken, '--output', 'terraform');
  expect(r.code).toBe(0);
  const tf = await parseHcl(r.out);
  expect(Object.keys(tf.resource).sort()).toEqual([
    'aws_cloudwatch_log_metric_filter',
    'aws_cloudwatch_metric_alarm',
    'aws_sns_topic',
    'aws_sns_topic_subscription',
  ]);
  const filter = block(tf, 'resource', 'aws_cloudwatch_log_metric_filter', 'cis_4_1_metric_filter');
  const written = literal(filter.pattern);
  expect(written).toBe(CIS);
  expect(comparePatterns(written, CIS).verdict).toBe('EQUIVALENT');
  expect(literal(filter.name)).toBe('unauthorized_api_calls_metric');
  const alarm = block(tf, 'resource', 'aws_cloudwatch_metric_alarm', 'cis_4_1_alarm');
  expect(alarm.alarm_actions.map(reference)).toEqual(['aws_sns_topic.cis_4_1_topic.arn']);
  // Nothing was requested: the template is for the account's own pipeline.
  const store = openStore(db);
  try {
    expect(await store.listApprovals()).toEqual([]);
  } finally {
    await store.close();
  }
});

test('--output cloudformation prints YAML, cloudformation-json JSON, with the same resources', async () => {
  const yaml = await cli(env, 'remediate', '4.1', '--sandbox', broken, '--output', 'cloudformation');
  expect(yaml.code).toBe(0);
  const json = await cli(env, 'remediate', '4.1', '--sandbox', broken, '--output', 'cloudformation-json');
  expect(json.code).toBe(0);
  const fromYaml = parseCfnYaml(yaml.out) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const fromJson = JSON.parse(json.out) as typeof fromYaml;
  expect(fromJson).toEqual(fromYaml);
  const types = Object.values(fromYaml.Resources)
    .map((r) => r.Type)
    .sort();
  expect(types).toEqual([
    'AWS::CloudWatch::Alarm',
    'AWS::Logs::MetricFilter',
    'AWS::SNS::Subscription',
    'AWS::SNS::Topic',
  ]);
  const filter = Object.values(fromYaml.Resources).find((r) => r.Type === 'AWS::Logs::MetricFilter');
  const pattern = filter?.Properties.FilterPattern as string;
  expect(pattern).toBe(CIS);
  expect(comparePatterns(pattern, CIS).verdict).toBe('EQUIVALENT');
});

test('an existing topic is referenced by its ARN, not created again', async () => {
  const r = await cli(env, 'remediate', '4.1', '--sandbox', unsubscribed, '--output', 'terraform');
  expect(r.code).toBe(0);
  const tf = await parseHcl(r.out);
  expect(Object.keys(tf.resource)).toEqual(['aws_sns_topic_subscription']);
  expect(r.out).toContain(TOPIC_ARN);
});

test('a compliant account writes nothing (exit 0); a plan not offered is refused with what to do (exit 2)', async () => {
  const ok = await cli(env, 'remediate', '4.1', '--sandbox', compliant, '--output', 'terraform');
  expect(ok.code).toBe(0);
  expect(ok.out).toBe('');
  expect(ok.err).toContain('holds for account 111122223333: there is nothing to write');
  const blocked = await cli(
    { ...env, CIS_BOT_CONFIG: noSubscriberConfig },
    'remediate',
    '4.1',
    '--sandbox',
    unsubscribed,
    '--output',
    'terraform',
  );
  expect(blocked.code).toBe(2);
  expect(blocked.out).toBe('');
  expect(blocked.err).toContain('is not offered for approval, so cis-bot writes no template');
});

test('--output terraform with --approve is refused before anything is opened', async () => {
  const r = await cli(env, 'remediate', '4.1', '--sandbox', broken, '--output', 'terraform', '--approve');
  expect(r.code).toBe(2);
  expect(r.err).toContain('cannot be combined with --approve');
});
