/**
 * `cis-bot audit <control>`: audits accounts against a control and prints the result as text (cards
 * rendered for a terminal, filtered by --level) or as the stable JSON report. Exit code 0 when every
 * account is compliant, 1 when one is not, 2 when one could not be audited or the command is wrong.
 * Credentials, region and endpoints come from the AWS SDK's standard chain unless --sandbox is given.
 */

import { type Command, Option } from 'commander';
import { loadCliConfig, runCliAudit } from '../../src/cli-runtime';
import { getControl } from '../../src/core/controls/registry';
import type { Control } from '../../src/core/controls/types';
import { exitCodeFor } from '../../src/core/evaluate/findings';
import type { OutputFormat } from '../../src/core/inputs';
import { LEVELS, type NotificationLevel } from '../../src/core/levels';
import type { AuditOutcome } from '../../src/core/ports/auditor';
import { presentAudit } from '../../src/core/present/audit-cards';
import type { CliContext } from './io';
import {
  type AwsCliOptions,
  awsTarget,
  configOption,
  externalIdOption,
  organizationOption,
  outputOption,
  parseAccountList,
  profileOption,
  regionOption,
  roleOption,
  wholeNumber,
} from './options';
import { renderCards } from './render-text';

export interface AuditCliOptions extends AwsCliOptions {
  accounts?: string[];
  output: OutputFormat;
  level?: NotificationLevel;
  concurrency?: number;
  /** Confirm metric-filter verdicts with logs:TestMetricFilter (default aws.confirm_patterns). */
  confirmPatterns?: boolean;
}

export function printOutcome(
  ctx: CliContext,
  control: Control,
  outcome: AuditOutcome,
  output: OutputFormat,
  level: NotificationLevel,
): void {
  const { io } = ctx;
  if (output === 'json') {
    io.stdout(`${JSON.stringify(outcome.report, null, 2)}\n`);
    return;
  }
  const cards = presentAudit(outcome.report, level);
  if (cards.length === 0) {
    if (!ctx.output.quiet) {
      io.stdout(
        `CIS ${control.id}: nothing needs attention (${outcome.report.summary.total} account(s) compliant).\n`,
      );
    }
    return;
  }
  io.stdout(ctx.output.paint(renderCards(cards)));
}

/** The level of a text output: --level, else error under --quiet, else notifications.default_level. */
export function textLevel(
  ctx: CliContext,
  given: NotificationLevel | undefined,
  configured: NotificationLevel,
) {
  return given ?? (ctx.output.quiet ? 'error' : configured);
}

async function audit(ctx: CliContext, controlId: string, opts: AuditCliOptions): Promise<void> {
  const control = getControl(controlId);
  const config = await loadCliConfig(ctx.io, opts.config);
  const level = textLevel(ctx, opts.level, config.notifications.default_level);
  const outcome = await runCliAudit(config, ctx.io, {
    control,
    // No --accounts: aws.accounts, else the accounts aws.organization discovers, else the caller's own.
    ...awsTarget(opts, config, opts.accounts ?? []),
    concurrency: opts.concurrency ?? config.aws.concurrency,
    confirmPatterns: opts.confirmPatterns ?? config.aws.confirm_patterns,
  });
  printOutcome(ctx, control, outcome, opts.output, level);
  ctx.setExitCode(exitCodeFor(outcome.report));
}

export function registerAuditCommand(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description(
      'audit AWS accounts against a CIS control (e.g. 4.1); exit 0 compliant, 1 non-compliant, 2 error',
    )
    .argument('<control>', 'control id, e.g. 4.1')
    .option(
      '--accounts <ids>',
      'comma-separated 12-digit account ids, reached through AssumeRole (default: aws.accounts, else the accounts aws.organization discovers)',
      parseAccountList,
    )
    .addOption(organizationOption())
    .addOption(profileOption())
    .addOption(roleOption())
    .addOption(externalIdOption())
    .addOption(regionOption('region to start in'))
    .addOption(outputOption())
    .addOption(new Option('--level <level>', 'notification level for text output').choices([...LEVELS]))
    .option(
      '--sandbox <scenario>',
      "audit the in-process AWS sandbox loaded with this scenario YAML instead of AWS (default accounts: the scenario's, from its first account)",
    )
    .option('--concurrency <n>', 'accounts audited at once (default aws.concurrency)', wholeNumber(1, 256))
    .addOption(configOption())
    .option(
      '--confirm-patterns',
      "confirm each metric-filter verdict with AWS's own evaluator, logs:TestMetricFilter (default aws.confirm_patterns)",
    )
    .action((controlId: string, opts: AuditCliOptions) => audit(ctx, controlId, opts));
}
