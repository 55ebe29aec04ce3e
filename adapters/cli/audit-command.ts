/**
 * `cis-bot audit <controls>`: audits accounts against one control (`4.1`), a list (`4.1,4.3,4.4`) or a
 * whole section (`4`: every control from one shared collection per account) and prints the result as
 * text (cards rendered for a terminal, filtered by --level), as the stable JSON report (one control: the
 * one-control report; several: a row of verdicts per account), or in a published report
 * format (SARIF, OCSF, ASFF, CSV, JUnit XML, Markdown: src/core/report, loaded only when asked for), to
 * stdout or atomically to --output-file. `--export securityhub` also sends the findings to the Security
 * Hub of the account and region cis-bot runs in. Exit code 0 when every account is compliant, 1 when one
 * is not (over every account and control), 2 when one could not be audited, a finding could not be
 * exported, or the command is wrong. A progress bar is drawn on stderr when it is a terminal.
 * Credentials, region and endpoints come from the AWS SDK's standard chain unless --sandbox is given.
 */

import { type Command, InvalidArgumentError, Option } from 'commander';
import { type CliAuditRun, cliTool, loadCliConfig, runCliAudit } from '../../src/cli-runtime';
import { selectControls } from '../../src/core/controls/registry';
import type { Control } from '../../src/core/controls/types';
import {
  type ControlsReport,
  reportForControl,
  reportsPerControl,
} from '../../src/core/evaluate/controls-report';
import { exitCodeFor } from '../../src/core/evaluate/findings';
import {
  AUDIT_OUTPUT_FORMATS,
  type AuditOutputFormat,
  EXPORT_TARGETS,
  type ExportTarget,
  type OutputFormat,
  parseControlSelectors,
} from '../../src/core/inputs';
import { LEVELS, type NotificationLevel } from '../../src/core/levels';
import type { AuditOutcome } from '../../src/core/ports/auditor';
import { presentAudit } from '../../src/core/present/audit-cards';
import { presentControls } from '../../src/core/present/controls-cards';
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
import { progressBar } from './progress-bar';
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
  /** Exit 0 when every failing control is ACCEPTED by an exception (default: ACCEPTED exits 1). */
  acceptExceptions?: boolean;
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

/** Several controls as text or JSON: a row of verdicts per account. */
function renderControls(
  ctx: CliContext,
  report: ControlsReport,
  output: OutputFormat,
  level: NotificationLevel,
  toTerminal: boolean,
): string {
  if (output === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const cards = presentControls(report, level);
  if (cards.length === 0) {
    return ctx.output.quiet
      ? ''
      : `CIS ${report.controls.join(', ')}: nothing needs attention (${report.summary.total} account(s) compliant).\n`;
  }
  return toTerminal ? ctx.output.paint(renderCards(cards)) : renderCards(cards);
}

function renderRun(
  ctx: CliContext,
  controls: readonly Control[],
  run: CliAuditRun,
  output: AuditOutputFormat,
  level: NotificationLevel,
  toTerminal: boolean,
) {
  const [only] = controls;
  if (isReportFormat(output)) {
    // The formats take one report per control: a section's rows become (account x control) results.
    const results = reportRun(reportsPerControl(run.report), cliTool());
    return renderReport(output, results, run.hub ? { hub: run.hub } : {});
  }
  // One control keeps its own report shape (pinned since 4.1's first release); several get a row each.
  if (controls.length === 1 && only) {
    const outcome = { report: reportForControl(run.report, only.id), snapshots: [] };
    return renderOutcome(ctx, only, outcome, output, level, toTerminal);
  }
  return renderControls(ctx, run.report, output, level, toTerminal);
}

/** `4`, `4.1` or `4.1,4.3,4.4` (commander's argument parser: a bad list is a usage error). */
export function parseControlList(value: string): string[] {
  const list = parseControlSelectors(value);
  if (!list.ok) {
    throw new InvalidArgumentError(
      `expected a control id such as 4.1, a section such as 4, or a comma-separated list; got "${list.bad}".`,
    );
  }
  return list.items;
}

async function audit(ctx: CliContext, selectors: string[], opts: AuditCliOptions): Promise<void> {
  const controls = selectControls(selectors);
  const outputFile = opts.outputFile !== undefined ? checkOutputFile(opts.outputFile) : undefined;
  const config = await loadCliConfig(ctx.io, opts.config);
  const level = textLevel(ctx, opts.level, config.notifications.default_level);
  const securityHub = opts.export === 'securityhub' ? 'export' : needsHub(opts.output) ? 'target' : undefined;
  const bar = progressBar(ctx.io);
  let run: CliAuditRun;
  try {
    run = await runCliAudit(config, ctx.io, {
      controls,
      // No --accounts: aws.accounts, else the accounts aws.organization discovers, else the caller's own.
      ...awsTarget(opts, config, opts.accounts ?? []),
      concurrency: opts.concurrency ?? config.aws.concurrency,
      confirmPatterns: opts.confirmPatterns ?? config.aws.confirm_patterns,
      accountTimeoutMs: config.aws.account_timeout_seconds * 1000,
      ...(securityHub ? { securityHub } : {}),
      ...(bar ? { progress: bar.progress } : {}),
    });
  } finally {
    bar?.end();
  }
  const text = renderRun(ctx, controls, run, opts.output, level, outputFile === undefined);
  if (outputFile !== undefined) {
    await writeOutputFile(outputFile, text);
    ctx.io.stderr(`cis-bot: ${opts.output} report written to ${outputFile}\n`);
  } else if (text) {
    ctx.io.stdout(text);
  }
  ctx.setExitCode(exitCodeFor(run.report, { acceptExceptions: opts.acceptExceptions === true }));
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
      'audit AWS accounts against CIS controls (4.1, a list 4.1,4.3, or the section 4); exit 0 compliant, 1 non-compliant, 2 error',
    )
    .argument(
      '<control>',
      'a control id (4.1), a comma-separated list (4.1,4.3,4.4) or a section (4)',
      parseControlList,
    )
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
    .option(
      '--accept-exceptions',
      'exit 0 when the only failures are ACCEPTED by an approved exception (default: ACCEPTED exits 1, like NON_COMPLIANT)',
    )
    .action((selectors: string[], opts: AuditCliOptions) => audit(ctx, selectors, opts));
}
