/**
 * `cis-bot events setup --output terraform|cloudformation`: prints what feeds the drift alerts (the
 * per-region EventBridge rules, the queue with its dead-letter queue and a policy that lets only the
 * rule send, the bot's queue permissions) through the shared infrastructure-as-code writers. Pure: no
 * AWS call, no configuration needed. CloudFormation deploys one stack per region, so several regions
 * print several templates in deployment order (`--out-dir` writes them as files instead).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { selectControls } from '../../src/core/controls/registry';
import { splitList } from '../../src/core/inputs';
import type { CliContext } from './io';
import { parseAccount, parseRegion } from './options';
import { writeOutputFile } from './output-file';

interface SetupOptions {
  output: 'terraform' | 'cloudformation';
  format: 'yaml' | 'json';
  account: string;
  region: string;
  regions?: string[];
  control?: string[];
  forwardTo?: string;
  organizationId?: string;
  outDir?: string;
}

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

function parseRegions(value: string): string[] {
  return splitList(value).map(parseRegion);
}

function parseOrganizationId(value: string): string {
  if (!ORGANIZATION_ID.test(value)) {
    throw new InvalidArgumentError(`expected an organization id such as o-a1b2c3d4e5, got "${value}".`);
  }
  return value;
}

async function setup(ctx: CliContext, opts: SetupOptions): Promise<void> {
  // Loaded when the command runs: `cis-bot --help` loads no YAML writer (test/cli/composition.test.ts).
  const { eventsSetupDocument } =
    require('../../src/core/drift/setup-document') as typeof import('../../src/core/drift/setup-document');
  const { toCloudFormation, toTerraform } =
    require('../../src/core/iac') as typeof import('../../src/core/iac');
  const doc = eventsSetupDocument({
    accountId: opts.account,
    hubRegion: opts.region,
    regions: opts.regions ?? [],
    ...(opts.control ? { controls: selectControls(opts.control) } : {}),
    ...(opts.forwardTo ? { forwardTo: opts.forwardTo } : {}),
    ...(opts.organizationId ? { organizationId: opts.organizationId } : {}),
  });
  const files =
    opts.output === 'terraform'
      ? [{ fileName: 'cis-bot-events.tf', body: toTerraform(doc) }]
      : toCloudFormation(doc, opts.format);
  if (opts.outDir) {
    mkdirSync(opts.outDir, { recursive: true });
    for (const f of files) {
      await writeOutputFile(join(opts.outDir, f.fileName), f.body);
      ctx.io.stderr(`wrote ${join(opts.outDir, f.fileName)}\n`);
    }
  } else if (files.length === 1) {
    ctx.io.stdout(files[0]?.body ?? '');
  } else {
    // Several CloudFormation templates (one per region): each under a line naming its file, in order.
    for (const f of files)
      ctx.io.stdout(`${opts.format === 'json' ? '//' : '#'} ==> ${f.fileName} <==\n${f.body}\n`);
  }
  ctx.setExitCode(0);
}

export function registerEventsCommand(program: Command, ctx: CliContext): void {
  const events = program.command('events').description('drift alerts: what feeds them');
  events
    .command('setup')
    .description(
      'print the EventBridge rules, SQS queue (with dead-letter queue and policy) and bot permissions for drift alerts',
    )
    .addOption(
      new Option('--output <format>', 'infrastructure as code to print')
        .choices(['terraform', 'cloudformation'])
        .makeOptionMandatory(),
    )
    .requiredOption('--account <id>', 'the account it is deployed in', parseAccount)
    .requiredOption(
      '--region <region>',
      'the region of the queue (and the bus other regions forward to)',
      parseRegion,
    )
    .option(
      '--regions <list>',
      'every other region that holds a link of a chain (trail, log group, alarm, topic): a rule forwards from each',
      parseRegions,
    )
    .option('--control <id...>', 'controls whose breaking calls the rules match (default: all registered)')
    .option(
      '--forward-to <account>',
      'organization layout, member account: only rules, forwarding to the central account bus in --region',
      parseAccount,
    )
    .option(
      '--organization-id <id>',
      'organization layout, central account: notes the bus permission for the members of this organization',
      parseOrganizationId,
    )
    .addOption(
      new Option('--format <format>', 'CloudFormation template format')
        .choices(['yaml', 'json'])
        .default('yaml'),
    )
    .option('--out-dir <dir>', 'write the file(s) there instead of printing them')
    .action((opts: SetupOptions) => setup(ctx, opts));
}
