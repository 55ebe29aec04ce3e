/**
 * `cis-bot drill <control> --account ID`: proposes a fire drill of the control's alarm (refused, exit 2,
 * when the chain is broken or the account is busy) and shows the request with its warning; `--approve`
 * approves it as the local operator under the same rules as chat (approvals.cli.users) and runs it:
 * `--approve` alone the drill this run proposes, `--approve ID` one proposed earlier. Exit 0 when the
 * drill proved the chain and cleaned up, 1 when it found the chain broken, 2 when it could not run or
 * left something behind (the result says what and how to remove it).
 */
import type { Command } from 'commander';
import { loadCliConfig, openCliRemediation } from '../../src/cli-runtime';
import { getControl } from '../../src/core/controls/registry';
import type { DrillOutcome } from '../../src/core/drill/types';
import { drillProgressCard, drillRequestCard, drillResultCard } from '../../src/core/present/drill-cards';
import type { CliContext } from './io';
import {
  type AwsCliOptions,
  awsTarget,
  configOption,
  externalIdOption,
  parseAccount,
  profileOption,
  regionOption,
  roleOption,
} from './options';
import { cliOperator, parseApprovalRef } from './remediate';
import { renderCard } from './render-text';

interface DrillCliOptions extends AwsCliOptions {
  account?: string;
  approve?: boolean | string;
  operator?: string;
}

export function exitForDrill(outcome: Pick<DrillOutcome, 'verdict' | 'cleanup'>): number {
  if (!outcome.cleanup.complete || outcome.verdict === 'not-run') return 2;
  return outcome.verdict === 'proven' ? 0 : 1;
}

async function drill(ctx: CliContext, controlId: string, opts: DrillCliOptions): Promise<void> {
  const { io } = ctx;
  getControl(controlId);
  const config = await loadCliConfig(io, opts.config);
  const accounts = opts.account !== undefined ? [opts.account] : [...config.aws.accounts];
  const services = await openCliRemediation(config, io, awsTarget(opts, config, accounts));
  try {
    const operator = cliOperator(opts.operator);
    let approvalId: string;
    if (typeof opts.approve === 'string') {
      approvalId = opts.approve;
    } else {
      const proposal = await services.approvals.propose(
        'drill',
        { control: controlId, accountId: opts.account },
        operator,
        { platform: 'cli', id: 'cli' },
      );
      io.stdout(ctx.output.paint(`${renderCard(drillRequestCard(proposal.drill, proposal.approval))}\n`));
      approvalId = proposal.approval.id;
      if (opts.approve !== true) {
        io.stdout(
          `\nTo approve and run exactly this drill (as an operator named in approvals.cli.users):\n  cis-bot drill ${controlId} --account ${proposal.drill.accountId} --approve ${approvalId}\n`,
        );
        return;
      }
    }
    io.stdout(`\nApproving as ${operator.userId} and running the drill...\n`);
    const executed = await services.approvals.approveAndExecute(approvalId, operator, (update) => {
      if (update.kind === 'drill' && !ctx.output.quiet)
        io.stdout(`  ${renderCard(drillProgressCard(update.event))}\n`);
    });
    if (executed.kind !== 'drill') {
      io.stderr(`cis-bot: approval ${approvalId} is a ${executed.kind}; run it with cis-bot remediate.\n`);
      ctx.setExitCode(2);
      return;
    }
    io.stdout(ctx.output.paint(`\n${renderCard(drillResultCard(executed))}\n`));
    ctx.setExitCode(exitForDrill(executed));
  } finally {
    await services.close();
  }
}

export function registerDrillCommand(program: Command, ctx: CliContext): void {
  program
    .command('drill')
    .description(
      "fire drill: after approval, set the control's alarm to ALARM for real and prove that SNS delivers (the topic's subscribers ARE notified)",
    )
    .argument('<control>', 'control id, e.g. 4.1')
    .option('--account <id>', '12-digit account id (default: the only configured account)', parseAccount)
    .option(
      '--approve [approval]',
      'approve and run, as the local operator, the drill proposed earlier (its approval id); without a value: the drill this run proposes',
      parseApprovalRef,
    )
    .option(
      '--operator <name>',
      'operator name checked against approvals.cli.users (default: the OS user name)',
    )
    .option('--sandbox <scenario>', 'run against the in-process AWS sandbox loaded with this scenario YAML')
    .addOption(regionOption('region to start the audit in'))
    .addOption(profileOption())
    .addOption(roleOption())
    .addOption(externalIdOption())
    .addOption(configOption())
    .action((controlId: string, opts: DrillCliOptions) => drill(ctx, controlId, opts));
}
