/**
 * `cis-bot remediate <control>`: audits one account, shows the remediation plan (steps with their AWS CLI
 * equivalents, guidance, the plan hash) and records the approval request; with `--approve` the local
 * operator (the OS user, or --operator) approves it under the same rules as chat (approvals.cli.users)
 * and it is executed and re-audited. Exit 0 only when the re-audit (or the audit) is COMPLIANT, 1 when
 * not, 2 on errors and refusals. AWS is reached like `audit`: the SDK's standard settings, or --sandbox.
 */
import { userInfo } from 'node:os';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { runAudit } from '../../src/aws/auditor';
import type { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import { getControl } from '../../src/core/controls/registry';
import type { Auditor } from '../../src/core/ports/auditor';
import type { Actor } from '../../src/core/ports/chat';
import {
  type ExecutionOutcome,
  type Proposal,
  renderPlanText,
  renderResultText,
  renderStepOutcome,
} from '../../src/core/remediation';
import { createCoreServices } from '../../src/runtime';
import { openStore } from '../../src/store';
import { roleTemplate } from './audit-command';
import { openCliSession } from './cli-session';
import type { CliContext } from './io';

export interface RemediateCliOptions {
  account?: string;
  approve?: boolean;
  operator?: string;
  output: 'text' | 'json';
  sandbox?: string;
  region?: string;
  role?: string;
  externalId?: string;
  config?: string;
}

function parseAccount(value: string): string {
  if (!/^\d{12}$/.test(value))
    throw new InvalidArgumentError(`expected a 12-digit AWS account id, got "${value}".`);
  return value;
}

function parseRegion(value: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(value))
    throw new InvalidArgumentError(`"${value}" is not an AWS region such as eu-west-2.`);
  return value;
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

/** An Auditor over one session; the caller's own account is audited with its credentials (no AssumeRole into itself). */
function sessionAuditor(
  session: AwsSession,
  region: string,
  concurrency: number,
  labels?: Record<string, string>,
): Auditor {
  return {
    async audit(request) {
      let accounts = [...(request.accounts ?? [])];
      if (accounts.length === 1) {
        const me = await session.callerIdentity().catch(() => undefined);
        if (me && me.accountId === accounts[0]) accounts = [];
      }
      return runAudit({
        control: getControl(request.control),
        session,
        region: request.region ?? region,
        accounts,
        concurrency,
        ...(labels ? { labels } : {}),
      });
    },
  };
}

function proposalJson(p: Proposal) {
  return {
    kind: p.kind,
    plan: p.plan,
    ...(p.kind === 'plan' ? { approval: p.approval } : {}),
    finding: p.finding,
  };
}

function exitForProposal(p: Proposal): number {
  if (p.kind === 'nothing-to-do') return 0;
  return p.finding.status === 'ERROR' ? 2 : 1;
}

function exitForExecution(o: ExecutionOutcome): number {
  if (o.result.status === 'failed') return 2;
  const r = o.result.reaudit;
  return 'status' in r && r.status === 'COMPLIANT' ? 0 : 1;
}

async function remediate(ctx: CliContext, controlId: string, opts: RemediateCliOptions): Promise<void> {
  const { io } = ctx;
  getControl(controlId); // an unknown control fails before anything is opened
  const config = loadConfig({
    ...(opts.config !== undefined ? { path: opts.config } : {}),
    ...(io.env ? { env: io.env } : {}),
  });
  const accounts = opts.account !== undefined ? [opts.account] : [...config.aws.accounts];
  const roleArnTemplate = opts.role !== undefined ? roleTemplate(opts.role) : config.aws.role_arn_template;
  const externalId = opts.externalId ?? config.aws.external_id;
  const closers: Array<() => Promise<void> | void> = [];
  try {
    const { session, region, labels, close } = await openCliSession(io, config, {
      ...(opts.sandbox !== undefined ? { sandbox: opts.sandbox } : {}),
      ...(opts.region !== undefined ? { region: opts.region } : {}),
      roleArnTemplate,
      ...(externalId !== undefined ? { externalId } : {}),
      accounts,
    });
    closers.push(close);
    const store = openStore(config.store.path);
    closers.push(() => store.close());
    const { workflow } = createCoreServices({
      config: { ...config, aws: { ...config.aws, accounts } },
      session,
      region,
      store,
      auditor: sessionAuditor(session, region, config.aws.concurrency, labels),
    });
    const operator = cliOperator(opts.operator);
    const proposal = await workflow.propose(controlId, opts.account, operator, {
      platform: 'cli',
      id: 'cli',
    });
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
    const outcome = await workflow.approveAndExecute(proposal.approval.id, operator, (event) => {
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
    for (const close of closers.reverse()) await close();
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
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--sandbox <scenario>', 'run against the in-process AWS sandbox loaded with this scenario YAML')
    .option(
      '--region <region>',
      'region to start the audit in (default aws.region, AWS_REGION, or the profile region)',
      parseRegion,
    )
    .option(
      '--role <name|template>',
      'role name, or role ARN template with {account} (default aws.role_arn_template)',
    )
    .option('--external-id <id>', 'ExternalId for AssumeRole (default aws.external_id)')
    .option('--config <path>', 'configuration file (default CIS_BOT_CONFIG, then ./cis-bot.yaml)')
    .action((controlId: string, opts: RemediateCliOptions) => remediate(ctx, controlId, opts));
}
