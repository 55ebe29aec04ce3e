/**
 * `cis-bot events setup` and `iam-policy --events`, run in-process as the CLI: the printed Terraform and
 * CloudFormation are parsed back (@cdktf/hcl2json, yaml) and checked for the rule per region, the queue,
 * its dead-letter queue, the policy that lets only the rule send, and the bot's queue permissions; the
 * organization layout's member output holds rules only; bad input is refused with exit code 2 and
 * nothing on stdout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../adapters/cli/main';
import { breakingEvents } from '../../src/core/controls';
import { block, jsonencoded, parseCfnYaml, parseHcl, reference } from '../iac/read-back';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

/** `cis-bot events setup ARGS`. */
const setup = (args: string | string[]) =>
  cli(['events', 'setup', ...(typeof args === 'string' ? args.split(' ') : args)]);

const SQS_ACTIONS = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:ReceiveMessage',
];

describe('cis-bot events setup', () => {
  it('Terraform: a rule per region, the hub rule into the queue, the others forwarding; queue, DLQ, policy, bot permissions', async () => {
    const { code, out } = await setup(
      '--output terraform --account 111122223333 --region eu-west-2 --regions us-east-1,eu-west-1',
    );
    expect(code).toBe(0);
    const tf = await parseHcl(out);
    const rules = Object.keys(tf.resource.aws_cloudwatch_event_rule).sort();
    expect(rules).toEqual(['chain_changes_eu_west_1', 'chain_changes_eu_west_2', 'chain_changes_us_east_1']);
    const pattern = (await jsonencoded(
      block(tf, 'resource', 'aws_cloudwatch_event_rule', 'chain_changes_us_east_1').event_pattern,
    )) as {
      detail: { eventName: string[]; eventSource: string[] };
    };
    // The calls come from the control registry: every breaking call is matched.
    for (const e of breakingEvents()) {
      expect(pattern.detail.eventName).toContain(e.eventName);
      expect(pattern.detail.eventSource).toContain(e.eventSource);
    }
    expect(
      reference(block(tf, 'resource', 'aws_cloudwatch_event_target', 'chain_changes_eu_west_2_target_1').arn),
    ).toBe('aws_sqs_queue.events_queue.arn');
    expect(block(tf, 'resource', 'aws_cloudwatch_event_target', 'chain_changes_us_east_1_target_1').arn).toBe(
      'arn:aws:events:eu-west-2:111122223333:event-bus/default',
    );
    const queue = block(tf, 'resource', 'aws_sqs_queue', 'events_queue');
    expect(await jsonencoded(queue.redrive_policy)).toEqual({
      deadLetterTargetArn: { ref: 'aws_sqs_queue.events_dlq.arn' },
      maxReceiveCount: 5,
    });
    const consumer = (await jsonencoded(block(tf, 'resource', 'aws_iam_policy', 'bot_consumer').policy)) as {
      Statement: Array<{ Action: string[] }>;
    };
    expect(consumer.Statement[0]?.Action).toEqual(SQS_ACTIONS);
    const policy = (await jsonencoded(
      block(tf, 'resource', 'aws_sqs_queue_policy', 'events_queue_policy').policy,
    )) as {
      Statement: unknown[];
    };
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: {
          ArnEquals: { 'aws:SourceArn': { ref: 'aws_cloudwatch_event_rule.chain_changes_eu_west_2.arn' } },
        },
      }),
    ]);
  });

  it('CloudFormation: one template per region in deployment order, each under its file name', async () => {
    const { code, out } = await setup(
      '--output cloudformation --account 111122223333 --region eu-west-2 --regions us-east-1',
    );
    expect(code).toBe(0);
    const parts = out.split(/^# ==> (.+) <==\n/m).slice(1);
    expect(parts.filter((_, i) => i % 2 === 0)).toEqual(['cis-bot.eu-west-2.yaml', 'cis-bot.us-east-1.yaml']);
    const hub = parseCfnYaml(parts[1] ?? '') as {
      Resources: Record<string, { Type: string }>;
      Outputs: Record<string, unknown>;
    };
    expect(
      Object.values(hub.Resources)
        .map((r) => r.Type)
        .sort(),
    ).toEqual([
      'AWS::Events::Rule',
      'AWS::IAM::ManagedPolicy',
      'AWS::IAM::Role',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::QueuePolicy',
    ]);
    expect(Object.keys(hub.Outputs)).toContain('QueueUrl');
    const spoke = parseCfnYaml(parts[3] ?? '') as { Resources: Record<string, { Type: string }> };
    expect(Object.values(spoke.Resources).map((r) => r.Type)).toEqual(['AWS::Events::Rule']);
  });

  it('organization layout: a member account gets forwarding rules only; the central account the bus permission', async () => {
    const member = await setup(
      '--output terraform --account 444455556666 --region eu-west-2 --forward-to 999988887777',
    );
    expect(member.code).toBe(0);
    const tf = await parseHcl(member.out);
    expect(Object.keys(tf.resource).sort()).toEqual([
      'aws_cloudwatch_event_rule',
      'aws_cloudwatch_event_target',
      'aws_iam_role',
      'aws_iam_role_policy',
    ]);
    expect(block(tf, 'resource', 'aws_cloudwatch_event_target', 'chain_changes_eu_west_2_target_1').arn).toBe(
      'arn:aws:events:eu-west-2:999988887777:event-bus/default',
    );
    const central = await setup(
      '--output cloudformation --account 999988887777 --region eu-west-2 --organization-id o-a1b2c3d4e5',
    );
    expect(central.code).toBe(0);
    const template = parseCfnYaml(central.out) as { Metadata: { CisBot: { Notes: string[] } } };
    expect(template.Metadata.CisBot.Notes.join('\n')).toMatch(
      /aws events put-permission .*aws:PrincipalOrgID.*o-a1b2c3d4e5/,
    );
  });

  it('refuses bad input with exit code 2 and prints nothing', async () => {
    for (const args of [
      ['--output', 'pulumi', '--account', '111122223333', '--region', 'eu-west-2'],
      ['--output', 'terraform', '--account', '1234', '--region', 'eu-west-2'],
      ['--output', 'terraform', '--account', '111122223333', '--region', 'mars-1'],
      ['--output', 'terraform', '--account', '111122223333'],
      [
        '--output',
        'terraform',
        '--account',
        '111122223333',
        '--region',
        'eu-west-2',
        '--organization-id',
        'org',
      ],
    ]) {
      const { code, out, err } = await setup(args);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).not.toBe('');
    }
  });
});

describe('cis-bot iam-policy --events', () => {
  async function hub(args: string[]) {
    const { code, out } = await cli(['iam-policy', ...args]);
    expect(code).toBe(0);
    return (
      JSON.parse(out) as {
        hubPolicy: { Statement: Array<{ Sid: string; Action: string[]; Resource: string }> };
      }
    ).hubPolicy.Statement;
  }

  it('adds the queue permissions on the queue named by its URL or ARN, and none without the flag', async () => {
    const byUrl = await hub(['--events', 'https://sqs.eu-west-2.amazonaws.com/111122223333/cis-bot-events']);
    expect(byUrl.find((s) => s.Sid === 'CisBotDriftEvents')).toEqual({
      Sid: 'CisBotDriftEvents',
      Effect: 'Allow',
      Action: SQS_ACTIONS,
      Resource: 'arn:aws:sqs:eu-west-2:111122223333:cis-bot-events',
    });
    const any = await hub(['--events']);
    expect(any.find((s) => s.Sid === 'CisBotDriftEvents')?.Resource).toBe('arn:aws:sqs:*:*:cis-bot-events');
    expect((await hub([])).some((s) => s.Sid === 'CisBotDriftEvents')).toBe(false);
  });

  it('refuses a queue it cannot read', async () => {
    const { code, out } = await cli(['iam-policy', '--events', 'cis-bot-events']);
    expect(code).toBe(2);
    expect(out).toBe('');
  });
});

describe('cis-bot iam-policy --config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cis-iam-events-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds the queue permissions when the configuration turns drift alerts on, and not otherwise', async () => {
    const on = join(dir, 'on.yaml');
    writeFileSync(
      on,
      'events:\n  queue_url: https://sqs.eu-west-1.amazonaws.com/111122223333/drift\n  targets:\n    slack: [C0SECOPS01]\n',
    );
    const off = join(dir, 'off.yaml');
    writeFileSync(off, 'aws:\n  region: eu-west-1\n');
    const statements = async (path: string) => {
      const { code, out } = await cli(['iam-policy', '--config', path]);
      expect(code).toBe(0);
      return (JSON.parse(out) as { hubPolicy: { Statement: Array<{ Sid: string; Resource: unknown }> } })
        .hubPolicy.Statement;
    };
    expect((await statements(on)).find((s) => s.Sid === 'CisBotDriftEvents')?.Resource).toBe(
      'arn:aws:sqs:eu-west-1:111122223333:drift',
    );
    expect((await statements(off)).some((s) => s.Sid === 'CisBotDriftEvents')).toBe(false);
  });
});
