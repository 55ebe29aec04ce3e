/**
 * `cis-bot except <control> --account ID --reason "…" --until YYYY-MM-DD [--deviation]` asks for an
 * accepted exception through the one approval workflow (the same rules as chat: approvals.cli.users,
 * TTL, audit log); `--approve` approves this run's request as the local operator, `--approve ID` a
 * request shown earlier (the workflow's rules decide: a distinct approver when
 * approvals.cli.require_distinct_approver is on). `cis-bot exceptions` lists those in force, `--revoke ID`
 * revokes one (approvers only, audit-logged). Exit 0 when asked/granted/listed, 1 when refused.
 */
import type { Command } from 'commander';
import { type CliRemediation, loadCliConfig, openCliRemediation } from '../../src/cli-runtime';
import { UsageError } from '../../src/core/errors';
import type { ExceptionProposal } from '../../src/core/exceptions/exception-kind';
import { revokeException } from '../../src/core/exceptions/revoke';
import { utcDay } from '../../src/core/exceptions/terms';
import type { Actor } from '../../src/core/ports/chat';
import type { ExceptionRecord } from '../../src/core/ports/store';
import type { CliContext } from './io';
import {
  type AwsCliOptions,
  awsTarget,
  configOption,
  parseAccount,
  profileOption,
  regionOption,
  roleOption,
} from './options';
import { cliOperator } from './remediate';

interface ExceptCliOptions extends AwsCliOptions {
  account?: string;
  reason?: string;
  until?: string;
  deviation?: boolean;
  approve?: boolean | string;
  operator?: string;
  output: 'text' | 'json';
}

interface ExceptionsCliOptions extends AwsCliOptions {
  account?: string;
  revoke?: string;
  operator?: string;
  output: 'text' | 'json';
}

function exceptionLine(e: ExceptionRecord): string {
  const who = (a: { userId: string; displayName?: string }) => a.displayName ?? a.userId;
  const narrow = e.deviation ? ` [deviation: filter '${e.deviation.filterName}']` : '';
  return `${e.id}  CIS ${e.control}  account ${e.accountId}  until ${e.until}  approved by ${who(e.approvedBy)} (requested by ${who(e.requestedBy)})${narrow}: ${e.reason}`;
}

async function withRemediation<T>(
  ctx: CliContext,
  opts: AwsCliOptions,
  work: (r: CliRemediation) => Promise<T>,
): Promise<T> {
  const config = await loadCliConfig(ctx.io, opts.config);
  const remediation = await openCliRemediation(
    config,
    ctx.io,
    awsTarget(opts, config, [...config.aws.accounts]),
  );
  try {
    return await work(remediation);
  } finally {
    await remediation.close();
  }
}

async function approveException(
  ctx: CliContext,
  r: CliRemediation,
  approvalId: string,
  operator: Actor,
  json: boolean,
): Promise<void> {
  const executed = await r.approvals.approveAndExecute(approvalId, operator);
  if (executed.kind !== 'exception') {
    throw new Error(`approval ${approvalId} is a ${executed.kind}, not an exception`);
  }
  ctx.io.stdout(
    json
      ? `${JSON.stringify({ kind: 'granted', exception: executed.exception }, null, 2)}\n`
      : `Granted: ${exceptionLine(executed.exception)}\nAudits show CIS ${executed.exception.control} on account ${executed.exception.accountId} as ACCEPTED until ${executed.exception.until}.\n`,
  );
  ctx.setExitCode(0);
}

async function except(ctx: CliContext, control: string, opts: ExceptCliOptions): Promise<void> {
  const operator = cliOperator(opts.operator);
  const json = opts.output === 'json';
  // The configured accounts (not --account): an exception for an account cis-bot does not audit is refused.
  await withRemediation(ctx, opts, async (r) => {
    if (typeof opts.approve === 'string') return approveException(ctx, r, opts.approve, operator, json);
    const missing = (['account', 'reason', 'until'] as const).filter((o) => opts[o] === undefined);
    if (missing.length > 0) {
      throw new UsageError(
        `except needs ${missing.map((m) => `--${m}`).join(', ')}: cis-bot except ${control} --account ID --reason "why" --until YYYY-MM-DD`,
      );
    }
    const proposal: ExceptionProposal = await r.approvals.propose(
      'exception',
      {
        control,
        accountId: opts.account as string,
        reason: opts.reason as string,
        until: opts.until as string,
        ...(opts.deviation ? { deviation: true } : {}),
      },
      operator,
      { platform: 'cli', id: 'cli' },
    );
    const { terms, approval } = proposal;
    if (opts.approve === true) return approveException(ctx, r, approval.id, operator, json);
    if (json) ctx.io.stdout(`${JSON.stringify({ kind: 'requested', terms, approval }, null, 2)}\n`);
    else {
      ctx.io.stdout(
        `Exception requested: accept CIS ${terms.control} on account ${terms.accountId} until ${terms.until}: ${terms.reason}\n` +
          (terms.deviation
            ? `Named deviation: only filter '${terms.deviation.filterName}' with pattern ${terms.deviation.filterPattern}\n` +
              `  an event CIS requires that it misses: ${JSON.stringify(terms.deviation.witness)}\n`
            : '') +
          `Approval ${approval.id} requested by ${operator.userId}; expires at ${approval.expiresAt}.\n` +
          `To approve it (another operator named in approvals.cli.users):\n  cis-bot except ${control} --approve ${approval.id}\n`,
      );
    }
    ctx.setExitCode(0);
  });
}

async function exceptions(ctx: CliContext, opts: ExceptionsCliOptions): Promise<void> {
  const json = opts.output === 'json';
  await withRemediation(ctx, opts, async (r) => {
    if (opts.revoke !== undefined) {
      const revoked = await revokeException(
        { store: r.store, settings: r.settings },
        opts.revoke,
        cliOperator(opts.operator),
      );
      ctx.io.stdout(
        json
          ? `${JSON.stringify({ kind: 'revoked', exception: revoked }, null, 2)}\n`
          : `Revoked: ${exceptionLine(revoked)}\n`,
      );
      ctx.setExitCode(0);
      return;
    }
    const now = new Date();
    const list = await r.store.listExceptions({
      expiresAfter: now.toISOString(),
      ...(opts.account ? { accountIds: [opts.account] } : {}),
    });
    if (json) ctx.io.stdout(`${JSON.stringify({ asOf: utcDay(now), exceptions: list }, null, 2)}\n`);
    else if (list.length === 0) ctx.io.stdout('No accepted exceptions are in force.\n');
    else ctx.io.stdout(`${list.map(exceptionLine).join('\n')}\n`);
    ctx.setExitCode(0);
  });
}

/** The options both commands take: the operator, the output, and where the store and AWS are. */
function withCommonOptions(command: Command): Command {
  return command
    .option(
      '--operator <name>',
      'operator name checked against approvals.cli.users (default: the OS user name)',
    )
    .option('--output <format>', 'text or json', 'text')
    .option('--sandbox <scenario>', 'use the in-process AWS sandbox loaded with this scenario YAML')
    .addOption(regionOption('region to start the audit in'))
    .addOption(profileOption())
    .addOption(roleOption())
    .addOption(configOption());
}

export function registerExceptionCommands(program: Command, ctx: CliContext): void {
  withCommonOptions(
    program
      .command('except')
      .description(
        'ask to accept a failing CIS control on one account until a date (approved like a remediation)',
      )
      .argument('<control>', 'control id, e.g. 4.1')
      .option('--account <id>', '12-digit account id', parseAccount)
      .option('--reason <text>', 'why the failure is accepted')
      .option('--until <date>', 'last valid day, YYYY-MM-DD (UTC); at most exceptions.max_days ahead')
      .option(
        '--deviation',
        'accept only the metric filter that fails now (a named deviation), not the control',
      )
      .option(
        '--approve [approval]',
        'approve, as the local operator, the request shown earlier (its approval id); without a value: this run’s request',
      ),
  ).action((control: string, opts: ExceptCliOptions) => except(ctx, control, opts));
  withCommonOptions(
    program
      .command('exceptions')
      .description('list the accepted exceptions in force; --revoke ID revokes one (approvers only)')
      .option('--account <id>', 'only this account', parseAccount)
      .option('--revoke <id>', 'revoke this exception (its id, as listed)'),
  ).action((opts: ExceptionsCliOptions) => exceptions(ctx, opts));
}
