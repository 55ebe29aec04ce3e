/**
 * `cis-bot remediate <control>`: audits one account, shows the remediation plan (steps with their AWS CLI
 * equivalents, guidance, the plan hash) and records the approval request; with `--approve` the local
 * operator (the OS user, or --operator) approves it under the same rules as chat (approvals.cli.users)
 * and it is executed and re-audited: `--approve ID` approves the plan shown by an earlier run (its
 * approval id or plan hash), `--approve` alone the plan this run shows. Exit 0 only when the re-audit (or the audit) is COMPLIANT, 1 when
 * not, 2 on errors and refusals. AWS is reached like `audit`: the SDK's standard settings, or --sandbox.
 */

import { userInfo } from 'node:os';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type CliRemediation, loadCliConfig, openCliRemediation } from '../../src/cli-runtime';
import { getControl } from '../../src/core/controls/registry';
import { RemediationRefused, UsageError } from '../../src/core/errors';
import { IAC_FORMATS, type IacFormat, isIacFormat } from '../../src/core/iac/formats';
import type { IacFile } from '../../src/core/iac/plan-file';
import { OUTPUT_FORMATS, type OutputFormat } from '../../src/core/inputs';
import type { Actor } from '../../src/core/ports/chat';
import type { Approval } from '../../src/core/ports/store';
import {
  type RemediationExecution,
  type RemediationProposal,
  remediationExecution,
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
  parseAccount,
  profileOption,
  regionOption,
  roleOption,
} from './options';

export interface RemediateCliOptions extends AwsCliOptions {
  account?: string;
  /** true: approve the plan this run shows; a string: the approval id or plan hash of a plan shown before. */
  approve?: boolean | string;
  operator?: string;
  /** text, json, or the plan's missing resources as Terraform / CloudFormation (nothing is requested). */
  output: OutputFormat | IacFormat;
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

/** What `--approve VALUE` may be: the approval id the plan showed, or its plan hash (12 hex digits or more). */
const APPROVAL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PLAN_HASH = /^[0-9a-f]{12,64}$/i;

export function parseApprovalRef(value: string): string {
  if (!APPROVAL_ID.test(value) && !PLAN_HASH.test(value)) {
    throw new InvalidArgumentError(
      `expected the approval id the plan showed (a UUID) or its plan hash (12 or more hex digits), got "${value}".`,
    );
  }
  return value.toLowerCase();
}

/**
 * The pending approval `ref` names (its id, or a prefix of its plan hash), for this control and, when
 * given, this account; a UsageError saying why when there is none or more than one.
 */
async function shownApproval(
  { approvals, store }: CliRemediation,
  ref: string,
  controlId: string,
  account: string | undefined,
): Promise<Approval> {
  const candidates = APPROVAL_ID.test(ref)
    ? [await approvals.get(ref)].filter((a): a is Approval => a !== undefined)
    : (await store.listApprovals({ limit: 10_000 })).filter(
        (a) => a.planHash.startsWith(ref) && a.state === 'requested',
      );
  const matching = candidates.filter(
    (a) =>
      a.kind === 'remediation' &&
      a.control === controlId &&
      (account === undefined || a.accountId === account),
  );
  const [only, ...others] = matching;
  if (only === undefined) {
    const other = candidates[0];
    throw new UsageError(
      other
        ? `${ref} is the approval of CIS ${other.control} for account ${other.accountId}, not of CIS ${controlId}${account ? ` for account ${account}` : ''}.`
        : `No approval ${ref} in this database: run \`cis-bot remediate ${controlId}${account ? ` --account ${account}` : ''}\` to see the plan and its approval id.`,
    );
  }
  if (others.length > 0) {
    throw new UsageError(
      `The plan hash ${ref} names ${matching.length} pending approvals (${matching.map((a) => a.id).join(', ')}): give the approval id.`,
    );
  }
  return only;
}

/** The command that approves a shown plan, as the text output suggests it. */
function approveCommand(controlId: string, approval: Approval): string {
  return `cis-bot remediate ${controlId} --account ${approval.accountId} --approve ${approval.id}`;
}

async function execute(
  ctx: CliContext,
  remediation: CliRemediation,
  approvalId: string,
  operator: Actor,
  json: boolean,
): Promise<void> {
  const { io } = ctx;
  if (!json && !ctx.output.quiet) io.stdout(`\nApproving as ${operator.userId} and executing...\n`);
  const outcome = remediationExecution(
    await remediation.approvals.approveAndExecute(approvalId, operator, ({ kind, event }) => {
      if (kind === 'remediation' && !json && !ctx.output.quiet && event.type === 'step-finished')
        io.stdout(`  ${renderStepOutcome(event.outcome, event.index, event.total)}\n`);
    }),
  );
  if (json) {
    io.stdout(
      `${JSON.stringify({ kind: 'executed', plan: outcome.plan, approval: outcome.approval, result: outcome.result }, null, 2)}\n`,
    );
  } else {
    io.stdout(ctx.output.paint(`\n${renderResultText(outcome.result, { steps: false })}`));
  }
  ctx.setExitCode(exitForExecution(outcome));
}

/**
 * `--approve ID`: approves the plan shown earlier (by its approval id or plan hash), not a new one. The
 * workflow derives the plan again before running it: when the account changed meanwhile the approval
 * goes stale and nothing runs; that is said, with the current plan and its own approval id.
 */
async function approveShown(
  ctx: CliContext,
  remediation: CliRemediation,
  controlId: string,
  opts: RemediateCliOptions,
  ref: string,
): Promise<void> {
  const operator = cliOperator(opts.operator);
  const json = opts.output === 'json';
  const approval = await shownApproval(remediation, ref, controlId, opts.account);
  try {
    await execute(ctx, remediation, approval.id, operator, json);
  } catch (error) {
    if (!(error instanceof RemediationRefused) || error.reason !== 'stale') throw error;
    ctx.io.stderr(
      `cis-bot: Nothing was run: the account changed after plan ${approval.planHash.slice(0, 12)} was shown, so approval ${approval.id} is stale.\n`,
    );
    const current = await propose(remediation, controlId, approval.accountId, operator);
    if (json) {
      ctx.io.stdout(
        `${JSON.stringify({ kind: 'stale', approval: approval.id, current: proposalJson(current) }, null, 2)}\n`,
      );
    } else {
      ctx.io.stdout(`The plan now:\n\n`);
      showProposal(ctx, controlId, current, operator);
    }
    ctx.setExitCode(2);
  }
}

function propose(
  remediation: CliRemediation,
  controlId: string,
  account: string | undefined,
  operator: Actor,
) {
  return remediation.approvals.propose('remediation', { control: controlId, accountId: account }, operator, {
    platform: 'cli',
    id: 'cli',
  });
}

function showProposal(
  ctx: CliContext,
  controlId: string,
  proposal: RemediationProposal,
  operator: Actor,
): void {
  ctx.io.stdout(ctx.output.paint(renderPlanText(proposal.plan)));
  if (proposal.kind !== 'plan') return;
  ctx.io.stdout(
    `\nApproval ${proposal.approval.id} requested by ${operator.userId}; expires at ${proposal.approval.expiresAt}.\n`,
  );
  if (!ctx.output.quiet) {
    ctx.io.stdout(
      `To approve and execute exactly this plan (as an operator named in approvals.cli.users):\n  ${approveCommand(controlId, proposal.approval)}\n`,
    );
  }
}

/**
 * `--output terraform|cloudformation|cloudformation-json`: the plan's missing resources as a template on
 * stdout, for accounts managed as code (a fix made through the API would drift and be reverted). Nothing
 * is requested for approval: the template is applied by the account's own pipeline. Exit 0 with the
 * template; a compliant account writes none (said on stderr, exit 0); a plan cis-bot would not offer for
 * approval is refused saying what to do first (exit 2).
 */
async function exportPlan(
  ctx: CliContext,
  remediation: CliRemediation,
  controlId: string,
  opts: RemediateCliOptions,
  format: IacFormat,
): Promise<void> {
  const operator = cliOperator(opts.operator);
  const { plan } = await remediation.assessor.assess(controlId, opts.account, operator, 'iac export');
  // The writers (and their YAML library) load only for an export, so other commands start as fast as before.
  const { planAsIacFile, IacExportRefused } =
    require('../../src/core/iac') as typeof import('../../src/core/iac');
  let file: IacFile;
  try {
    file = planAsIacFile(plan, format);
  } catch (error) {
    if (!(error instanceof IacExportRefused) || error.reason !== 'nothing-to-do') throw error;
    ctx.io.stderr(`cis-bot: ${error.message}\n`);
    ctx.setExitCode(0);
    return;
  }
  ctx.io.stdout(file.body.endsWith('\n') ? file.body : `${file.body}\n`);
  ctx.setExitCode(0);
}

async function remediate(ctx: CliContext, controlId: string, opts: RemediateCliOptions): Promise<void> {
  const { io } = ctx;
  getControl(controlId); // an unknown control fails before anything is opened
  if (isIacFormat(opts.output) && opts.approve !== undefined) {
    throw new UsageError(
      `--output ${opts.output} writes the plan as a template for your own pipeline; it cannot be combined with --approve.`,
    );
  }
  const config = await loadCliConfig(io, opts.config);
  const accounts = opts.account !== undefined ? [opts.account] : [...config.aws.accounts];
  const remediation = await openCliRemediation(config, io, awsTarget(opts, config, accounts));
  try {
    if (isIacFormat(opts.output)) {
      await exportPlan(ctx, remediation, controlId, opts, opts.output);
      return;
    }
    if (typeof opts.approve === 'string') {
      await approveShown(ctx, remediation, controlId, opts, opts.approve);
      return;
    }
    const operator = cliOperator(opts.operator);
    const proposal = await propose(remediation, controlId, opts.account, operator);
    const json = opts.output === 'json';
    if (!json) showProposal(ctx, controlId, proposal, operator);
    if (opts.approve !== true || proposal.kind !== 'plan') {
      if (json) io.stdout(`${JSON.stringify(proposalJson(proposal), null, 2)}\n`);
      ctx.setExitCode(exitForProposal(proposal));
      return;
    }
    // --approve without an id: the plan just shown (this run's own approval) is approved and run.
    await execute(ctx, remediation, proposal.approval.id, operator, json);
  } finally {
    await remediation.close();
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
    .option(
      '--approve [approval]',
      'approve and execute, as the local operator, the plan shown earlier (its approval id or plan hash); without a value: the plan this run shows',
      parseApprovalRef,
    )
    .option(
      '--operator <name>',
      'operator name checked against approvals.cli.users (default: the OS user name)',
    )
    .addOption(
      new Option(
        '--output <format>',
        'output format; terraform, cloudformation (YAML) or cloudformation-json print the plan as a template (no approval is requested)',
      )
        .choices([...OUTPUT_FORMATS, ...IAC_FORMATS])
        .default('text'),
    )
    .option('--sandbox <scenario>', 'run against the in-process AWS sandbox loaded with this scenario YAML')
    .addOption(regionOption('region to start the audit in'))
    .addOption(profileOption())
    .addOption(roleOption())
    .addOption(externalIdOption())
    .addOption(configOption())
    .action((controlId: string, opts: RemediateCliOptions) => remediate(ctx, controlId, opts));
}
