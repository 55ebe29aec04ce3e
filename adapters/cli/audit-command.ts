/**
 * `cis-bot audit <control>`: audits accounts against a control and prints the result as text (cards
 * rendered for a terminal, filtered by --level) or as the stable JSON report. Exit code 0 when every
 * account is compliant, 1 when one is not, 2 when one could not be audited or the command is wrong.
 * Credentials, region and endpoints come from the AWS SDK's standard chain unless --sandbox is given.
 */

import { type Command, InvalidArgumentError, Option } from 'commander';
import { runAudit } from '../../src/aws/auditor';
import { loadConfig } from '../../src/config/load';
import { getControl } from '../../src/core/controls/registry';
import type { Control } from '../../src/core/controls/types';
import { exitCodeFor } from '../../src/core/evaluate/findings';
import { LEVELS, type NotificationLevel } from '../../src/core/levels';
import type { AuditOutcome } from '../../src/core/ports/auditor';
import { presentAudit } from '../../src/core/present/audit-cards';
import { openCliSession } from './cli-session';
import type { CliContext, CliIo } from './io';
import { renderCards } from './render-text';

export interface AuditCliOptions {
  accounts?: string[];
  role?: string;
  externalId?: string;
  region?: string;
  output: 'text' | 'json';
  level?: NotificationLevel;
  sandbox?: string;
  concurrency?: number;
  config?: string;
  /** Confirm metric-filter verdicts with logs:TestMetricFilter (default aws.confirm_patterns). */
  confirmPatterns?: boolean;
}

export function parseAccountList(value: string): string[] {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = ids.find((id) => !/^\d{12}$/.test(id));
  if (bad !== undefined || ids.length === 0) {
    throw new InvalidArgumentError(
      `expected 12-digit AWS account ids separated by commas, got "${bad ?? value}".`,
    );
  }
  return ids;
}

function parseRegion(value: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(value))
    throw new InvalidArgumentError(`"${value}" is not an AWS region such as eu-west-2.`);
  return value;
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new InvalidArgumentError('expected a whole number from 1 to 256.');
  return n;
}

/** A role name becomes `arn:aws:iam::{account}:role/NAME`; an ARN template with `{account}` is used as is. */
export function roleTemplate(role: string): string {
  if (role.includes('{account}')) return role;
  if (/^[\w+=,.@/-]{1,64}$/.test(role)) return `arn:aws:iam::{account}:role/${role}`;
  throw new InvalidArgumentError(
    `--role takes a role name or an ARN template containing {account}; got "${role}".`,
  );
}

export function printOutcome(
  io: CliIo,
  control: Control,
  outcome: AuditOutcome,
  output: 'text' | 'json',
  level: NotificationLevel,
): void {
  if (output === 'json') {
    io.stdout(`${JSON.stringify(outcome.report, null, 2)}\n`);
    return;
  }
  const cards = presentAudit(outcome.report, level);
  if (cards.length === 0) {
    io.stdout(
      `CIS ${control.id}: nothing needs attention (${outcome.report.summary.total} account(s) compliant).\n`,
    );
    return;
  }
  io.stdout(renderCards(cards));
}

async function audit(ctx: CliContext, controlId: string, opts: AuditCliOptions): Promise<void> {
  const control = getControl(controlId);
  const config = loadConfig({
    ...(opts.config !== undefined ? { path: opts.config } : {}),
    ...(ctx.io.env ? { env: ctx.io.env } : {}),
  });
  const level = opts.level ?? config.notifications.default_level;
  const accounts = opts.accounts ?? [...config.aws.accounts];
  const roleArnTemplate = opts.role !== undefined ? roleTemplate(opts.role) : config.aws.role_arn_template;
  const externalId = opts.externalId ?? config.aws.external_id;
  const concurrency = opts.concurrency ?? config.aws.concurrency;
  const confirmPatterns = opts.confirmPatterns ?? config.aws.confirm_patterns;

  const cli = await openCliSession(ctx.io, config, {
    ...(opts.sandbox !== undefined ? { sandbox: opts.sandbox } : {}),
    ...(opts.region !== undefined ? { region: opts.region } : {}),
    roleArnTemplate,
    ...(externalId !== undefined ? { externalId } : {}),
    accounts,
  });
  try {
    const outcome = await runAudit({
      control,
      session: cli.session,
      region: cli.region,
      accounts,
      ...(cli.labels ? { labels: cli.labels } : {}),
      concurrency,
      confirmPatterns,
    });
    printOutcome(ctx.io, control, outcome, opts.output, level);
    ctx.setExitCode(exitCodeFor(outcome.report));
  } finally {
    await cli.close();
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
      'comma-separated 12-digit account ids, reached through AssumeRole',
      parseAccountList,
    )
    .option(
      '--role <name|template>',
      'role name, or role ARN template with {account} (default aws.role_arn_template)',
    )
    .option('--external-id <id>', 'ExternalId for AssumeRole (default aws.external_id)')
    .option(
      '--region <region>',
      'region to start in (default aws.region, AWS_REGION, or the profile region)',
      parseRegion,
    )
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--level <level>', 'notification level for text output').choices([...LEVELS]))
    .option(
      '--sandbox <scenario>',
      'audit the in-process AWS sandbox loaded with this scenario YAML instead of AWS',
    )
    .option('--concurrency <n>', 'accounts audited at once (default aws.concurrency)', parseConcurrency)
    .option('--config <path>', 'configuration file (default CIS_BOT_CONFIG, then ./cis-bot.yaml)')
    .option(
      '--confirm-patterns',
      "confirm each metric-filter verdict with AWS's own evaluator, logs:TestMetricFilter (default aws.confirm_patterns)",
    )
    .action((controlId: string, opts: AuditCliOptions) => audit(ctx, controlId, opts));
}
