/**
 * `cis-bot remediate <control>`: audits one account, shows the remediation plan (steps with their AWS CLI
 * equivalents, guidance, the plan hash) and records the approval request; with `--approve` the local
 * operator (the OS user, or --operator) approves it under the same rules as chat (approvals.cli.users)
 * and it is executed and re-audited. Exit 0 only when the re-audit (or the audit) is COMPLIANT, 1 when
 * not, 2 on errors and refusals. AWS is reached like `audit`: the SDK's standard settings, or --sandbox.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadCliConfig, openCliRemediation } from '../../src/cli-runtime';
import { getControl } from '../../src/core/controls/registry';
import type { OutputFormat } from '../../src/core/inputs';
import type { Actor } from '../../src/core/ports/chat';
import {
  type RemediationExecution,
  type RemediationProposal,
  renderPlanText,
  renderResultText,
  renderStepOutcome,
} from '../../src/core/remediation';
import type { CliContext } from './io';
import {
  type AwsCliOptions,
  awsTarget,
  configOption,
  externalIdOption,
  outputOption,
  parseAccount,
  profileOption,
  regionOption,
  roleOption,
} from './options';

export interface RemediateCliOptions extends AwsCliOptions {
  account?: string;
  approve?: boolean;
  operator?: string;
  output: OutputFormat;
}

/** The CLI operator: --operator, else the OS user name. */
export function cliOperator(name?: string): Actor {
  let user = name;
  if (user === undefined) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return { platform: 'cli', userId: user };
}

function proposalJson(p: RemediationProposal) {
  return {
    kind: p.kind,
    plan: p.plan,
    ...(p.kind === 'plan' ? { approval: p.approval } : {}),
    finding: p.finding,
  };
}

function exitForProposal(p: RemediationProposal): number {
  if (p.kind === 'nothing-to-do') return 0;
  return p.finding.status === 'ERROR' ? 2 : 1;
}

function exitForExecution(o: RemediationExecution): number {
  if (o.result.status === 'failed') return 2;
  const r = o.result.reaudit;
  return 'status' in r && r.status === 'COMPLIANT' ? 0 : 1;
}

async function remediate(ctx: CliContext, controlId: string, opts: RemediateCliOptions): Promise<void> {
  const { io } = ctx;
  getControl(controlId); // an unknown control fails before anything is opened
  const config = await loadCliConfig(io, opts.config);
  const accounts = opts.account !== undefined ? [opts.account] : [...config.aws.accounts];
  const { approvals, close } = await openCliRemediation(config, io, awsTarget(opts, config, accounts));
  try {
    const operator = cliOperator(opts.operator);
    const proposal = await approvals.propose(
      'remediation',
      { control: controlId, accountId: opts.account },
      operator,
      { platform: 'cli', id: 'cli' },
    );
    const json = opts.output === 'json';
    if (!json) {
      io.stdout(renderPlanText(proposal.plan));
      if (proposal.kind === 'plan') {
        io.stdout(
          `\nApproval ${proposal.approval.id} requested by ${operator.userId}; expires at ${proposal.approval.expiresAt}.\n`,
        );
        if (!opts.approve)
          io.stdout(
            'Run again with --approve to approve and execute it (as the operator named in approvals.cli.users).\n',
          );
      }
    }
    if (!opts.approve || proposal.kind !== 'plan') {
      if (json) io.stdout(`${JSON.stringify(proposalJson(proposal), null, 2)}\n`);
      ctx.setExitCode(exitForProposal(proposal));
      return;
    }
    if (!json) io.stdout(`\nApproving as ${operator.userId} and executing...\n`);
    const outcome = await approvals.approveAndExecute(proposal.approval.id, operator, ({ event }) => {
      if (!json && event.type === 'step-finished')
        io.stdout(`  ${renderStepOutcome(event.outcome, event.index, event.total)}\n`);
    });
    if (json) {
      io.stdout(
        `${JSON.stringify({ kind: 'executed', plan: outcome.plan, approval: outcome.approval, result: outcome.result }, null, 2)}\n`,
      );
    } else {
      io.stdout(`\n${renderResultText(outcome.result, { steps: false })}`);
    }
    ctx.setExitCode(exitForExecution(outcome));
  } finally {
    await close();
  }
}

export function registerRemediateCommand(program: Command, ctx: CliContext): void {
  program
    .command('remediate')
    .description(
      'plan the remediation of a CIS control (e.g. 4.1) for one account; --approve executes it and re-audits',
    )
    .argument('<control>', 'control id, e.g. 4.1')
    .option(
      '--account <id>',
      '12-digit account id (default: the only configured account, or the current credentials)',
      parseAccount,
    )
    .option('--approve', 'approve the plan as the local operator and execute it')
    .option(
      '--operator <name>',
      'operator name checked against approvals.cli.users (default: the OS user name)',
    )
    .addOption(outputOption())
    .option('--sandbox <scenario>', 'run against the in-process AWS sandbox loaded with this scenario YAML')
    .addOption(regionOption('region to start the audit in'))
    .addOption(profileOption())
    .addOption(roleOption())
    .addOption(externalIdOption())
    .addOption(configOption())
    .action((controlId: string, opts: RemediateCliOptions) => remediate(ctx, controlId, opts));
}
