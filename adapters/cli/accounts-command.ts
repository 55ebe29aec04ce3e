/**
 * `cis-bot accounts`: the accounts cis-bot audits when none are named, with their labels and OUs, and
 * where the list comes from: aws.accounts, AWS Organizations discovery (aws.organization, or
 * `--organization`), or neither (the account of cis-bot's own credentials). Exit 0, or 2 when the list
 * cannot be had (the error says what to grant or fix).
 */
import type { Command } from 'commander';
import { type CliAccounts, listCliAccounts, loadCliConfig } from '../../src/cli-runtime';
import type { OutputFormat } from '../../src/core/inputs';
import type { CliContext } from './io';
import {
  type AwsCliOptions,
  awsTarget,
  configOption,
  organizationOption,
  outputOption,
  regionOption,
} from './options';

interface AccountsCliOptions extends AwsCliOptions {
  output: OutputFormat;
}

const FROM: Record<CliAccounts['source'], string> = {
  configured: 'aws.accounts',
  organization: 'AWS Organizations (aws.organization)',
  own: "cis-bot's own credentials (aws.accounts is empty and aws.organization is off)",
};

/** Columns padded to the widest cell; the last one is not padded. */
function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function renderAccountsText({ source, accounts }: CliAccounts): string {
  const rows = accounts.map((a) => [a.accountId, a.label ?? '', a.ou ?? '']);
  const head = `${accounts.length} account(s) from ${FROM[source]}:`;
  return `${head}\n${table([['ACCOUNT', 'NAME', 'OU'], ...rows])}\n`;
}

async function accounts(ctx: CliContext, opts: AccountsCliOptions): Promise<void> {
  const config = await loadCliConfig(ctx.io, opts.config);
  const listed = await listCliAccounts(config, ctx.io, awsTarget(opts, config, []));
  ctx.io.stdout(
    opts.output === 'json'
      ? `${JSON.stringify({ source: listed.source, count: listed.accounts.length, accounts: listed.accounts }, null, 2)}\n`
      : renderAccountsText(listed),
  );
  ctx.setExitCode(0);
}

export function registerAccountsCommand(program: Command, ctx: CliContext): void {
  program
    .command('accounts')
    .description(
      'list the accounts cis-bot audits when none are named (aws.accounts, or discovered from AWS Organizations), with names and OUs',
    )
    .addOption(organizationOption())
    .addOption(outputOption())
    .addOption(regionOption('region of the AWS calls'))
    .option(
      '--sandbox <scenario>',
      'list the in-process AWS sandbox loaded with this scenario YAML instead of AWS',
    )
    .addOption(configOption())
    .action((opts: AccountsCliOptions) => accounts(ctx, opts));
}
