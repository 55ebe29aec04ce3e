/**
 * `cis-bot audit <control>`: audits accounts against a control and prints the result as text (cards
 * rendered for a terminal, filtered by --level), as the stable JSON report, or in a published report
 * format (SARIF, OCSF, ASFF, CSV, JUnit XML, Markdown: src/core/report, loaded only when asked for), to
 * stdout or atomically to --output-file. `--export securityhub` also sends the findings to the Security
 * Hub of the account and region cis-bot runs in. Exit code 0 when every account is compliant, 1 when one
 * is not, 2 when one could not be audited, a finding could not be exported, or the command is wrong.
 * Credentials, region and endpoints come from the AWS SDK's standard chain unless --sandbox is given.
 */

import { type Command, Option } from 'commander';
import { type CliAuditRun, cliTool, loadCliConfig, runCliAudit } from '../../src/cli-runtime';
import { getControl } from '../../src/core/controls/registry';
import type { Control } from '../../src/core/controls/types';
import { exitCodeFor } from '../../src/core/evaluate/findings';
import {
  AUDIT_OUTPUT_FORMATS,
  type AuditOutputFormat,
  EXPORT_TARGETS,
  type ExportTarget,
  type OutputFormat,
} from '../../src/core/inputs';
import { LEVELS, type NotificationLevel } from '../../src/core/levels';
import type { AuditOutcome } from '../../src/core/ports/auditor';
import { presentAudit } from '../../src/core/present/audit-cards';
import { isReportFormat, needsHub, renderReport } from '../../src/core/report/formats';
import { reportRun } from '../../src/core/report/results';
import type { CliContext } from './io';
import {
  type AwsCliOptions,
  awsTarget,
  configOption,
  externalIdOption,
  organizationOption,
  parseAccountList,
  profileOption,
  regionOption,
  roleOption,
  wholeNumber,
} from './options';
import { checkOutputFile, writeOutputFile } from './output-file';
import { renderCards } from './render-text';

export interface AuditCliOptions extends AwsCliOptions {
  accounts?: string[];
  output: AuditOutputFormat;
  outputFile?: string;
  export?: ExportTarget;
  level?: NotificationLevel;
  concurrency?: number;
  /** Confirm metric-filter verdicts with logs:TestMetricFilter (default aws.confirm_patterns). */
  confirmPatterns?: boolean;
}

/** The text or JSON report (what the demo prints too); text in colour only for a terminal. */
export function renderOutcome(
  ctx: CliContext,
  control: Control,
  outcome: AuditOutcome,
  output: OutputFormat,
  level: NotificationLevel,
  toTerminal = true,
): string {
  if (output === 'json') return `${JSON.stringify(outcome.report, null, 2)}\n`;
  const cards = presentAudit(outcome.report, level);
  if (cards.length === 0) {
    return ctx.output.quiet
      ? ''
      : `CIS ${control.id}: nothing needs attention (${outcome.report.summary.total} account(s) compliant).\n`;
  }
  return toTerminal ? ctx.output.paint(renderCards(cards)) : renderCards(cards);
}

export function printOutcome(
  ctx: CliContext,
  control: Control,
  outcome: AuditOutcome,
  output: OutputFormat,
  level: NotificationLevel,
): void {
  const text = renderOutcome(ctx, control, outcome, output, level);
  if (text) ctx.io.stdout(text);
}

/** The level of a text output: --level, else error under --quiet, else notifications.default_level. */
export function textLevel(
  ctx: CliContext,
  given: NotificationLevel | undefined,
  configured: NotificationLevel,
) {
  return given ?? (ctx.output.quiet ? 'error' : configured);
}

function renderRun(
  ctx: CliContext,
  control: Control,
  run: CliAuditRun,
  output: AuditOutputFormat,
  level: NotificationLevel,
  toTerminal: boolean,
) {
  if (!isReportFormat(output)) return renderOutcome(ctx, control, run, output, level, toTerminal);
  return renderReport(output, reportRun(run.report, cliTool()), run.hub ? { hub: run.hub } : {});
}

async function audit(ctx: CliContext, controlId: string, opts: AuditCliOptions): Promise<void> {
  const control = getControl(controlId);
  const outputFile = opts.outputFile !== undefined ? checkOutputFile(opts.outputFile) : undefined;
  const config = await loadCliConfig(ctx.io, opts.config);
  const level = textLevel(ctx, opts.level, config.notifications.default_level);
  const securityHub = opts.export === 'securityhub' ? 'export' : needsHub(opts.output) ? 'target' : undefined;
  const run = await runCliAudit(config, ctx.io, {
    control,
    // No --accounts: aws.accounts, else the accounts aws.organization discovers, else the caller's own.
    ...awsTarget(opts, config, opts.accounts ?? []),
    concurrency: opts.concurrency ?? config.aws.concurrency,
    confirmPatterns: opts.confirmPatterns ?? config.aws.confirm_patterns,
    ...(securityHub ? { securityHub } : {}),
  });
  const text = renderRun(ctx, control, run, opts.output, level, outputFile === undefined);
  if (outputFile !== undefined) {
    await writeOutputFile(outputFile, text);
    ctx.io.stderr(`cis-bot: ${opts.output} report written to ${outputFile}\n`);
  } else if (text) {
    ctx.io.stdout(text);
  }
  ctx.setExitCode(exitCodeFor(run.report));
  if (run.exported) {
    const { exportSummaryText } =
      require('../../src/core/report/security-hub-export') as typeof import('../../src/core/report/security-hub-export');
    ctx.io.stderr(`cis-bot: ${exportSummaryText(run.exported)}\n`);
    // A finding that did not reach Security Hub is an incomplete answer, like an account not audited.
    if (run.exported.failed.length > 0) ctx.setExitCode(2);
  }
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
    .addOption(
      new Option('--output <format>', 'output format').choices([...AUDIT_OUTPUT_FORMATS]).default('text'),
    )
    .option('--output-file <path>', 'write the report to this file (atomically) instead of stdout')
    .addOption(
      new Option(
        '--export <target>',
        'also send the findings to the Security Hub of the account and region cis-bot runs in',
      ).choices([...EXPORT_TARGETS]),
    )
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
