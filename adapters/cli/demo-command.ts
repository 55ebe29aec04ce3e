/**
 * `cis-bot demo`: the bot's main job on the embedded defaults, with no AWS credentials: the bundled AWS
 * sandbox (a security account reaching seven member accounts through AssumeRole, one compliant and the
 * others each broken at a different link) and an embedded SQLite database in a temporary folder. It
 * audits every member, then (text output) takes the first account the bot can fix through the same
 * workflow as a chat approval: plan, approval by the demo operator, execution, re-audit, and prints the
 * audit log. Exits 0 when the demo ran, whatever it found.
 */

import { type Command, Option } from 'commander';
import { type CliDemo, openDemo } from '../../src/cli-runtime';
import { recordAudit } from '../../src/core/audit-recorder';
import { getControl } from '../../src/core/controls/registry';
import type { OutputFormat } from '../../src/core/inputs';
import { LEVELS, type NotificationLevel } from '../../src/core/levels';
import type { Actor } from '../../src/core/ports/chat';
import {
  remediationExecution,
  renderPlanText,
  renderResultText,
  renderStepOutcome,
} from '../../src/core/remediation';
import { printOutcome, textLevel } from './audit-command';
import { recentEntries, renderHistoryText } from './history';
import type { CliContext } from './io';
import { outputOption } from './options';
import { renderCards } from './render-text';

interface DemoOptions {
  output: OutputFormat;
  level?: NotificationLevel;
  control: string;
}

const OPERATOR: Actor = { platform: 'cli', userId: 'demo-operator' };

async function demo(ctx: CliContext, opts: DemoOptions): Promise<void> {
  const control = getControl(opts.control);
  const world = await openDemo(ctx.io, OPERATOR.userId);
  try {
    const { services, dbPath } = world;
    const text = opts.output === 'text';
    if (text && !ctx.output.quiet) {
      ctx.io.stdout(
        `Demo: the AWS sandbox at ${world.endpoint} holds ${world.memberAccounts.length + 1} accounts; ` +
          `auditing ${world.memberAccounts.length} of them from the security account ${world.callerAccount} through AssumeRole.\n` +
          `The embedded database is ${dbPath}.\n\n`,
      );
    }
    const outcome = await services.auditor.audit({ control: control.id });
    await recordAudit(services.store, outcome.report, { trigger: 'cli', actor: OPERATOR });
    printOutcome(ctx, control, outcome, opts.output, textLevel(ctx, opts.level, 'info'));
    if (text) await fixOne(ctx, world, control.id, outcome.report.accounts, dbPath);
    ctx.setExitCode(0);
  } finally {
    await world.close();
  }
}

/** Fixes the first non-compliant account the bot can repair, as an approved plan, and shows the log. */
/** Someone deletes the alarm again: the drift alert (CloudTrail event -> queue -> re-audit) shows it. */
async function driftStep(
  ctx: CliContext,
  world: CliDemo,
  controlId: string,
  accountId: string,
): Promise<void> {
  const out = (s: string) => ctx.io.stdout(s);
  out(
    `\n--- Drift alert: someone deletes the alarm in account ${accountId}; the CloudTrail event reaches the bot's queue ---\n\n`,
  );
  const outcome = await world.driftStep(controlId, accountId, (cards) => out(`${renderCards(cards)}\n`));
  if (outcome.alerts === 0) out('No drift alert arrived in time.\n');
}

async function fixOne(
  ctx: CliContext,
  world: CliDemo,
  controlId: string,
  findings: ReadonlyArray<{ accountId: string; status: string; brokenLink?: string }>,
  dbPath: string,
): Promise<void> {
  const { services } = world;
  const out = (s: string) => ctx.io.stdout(s);
  for (const f of findings) {
    if (f.status !== 'NON_COMPLIANT') continue;
    const proposal = await services.approvals.propose(
      'remediation',
      { control: controlId, accountId: f.accountId },
      OPERATOR,
      { platform: 'cli', id: 'demo' },
    );
    if (proposal.kind !== 'plan') continue;
    out(
      `\n--- Fixing account ${f.accountId} (broken link: ${f.brokenLink ?? '?'}) as an approved plan ---\n\n`,
    );
    out(renderPlanText(proposal.plan));
    out(`\nApproved by ${OPERATOR.userId}; executing:\n`);
    const done = remediationExecution(
      await services.approvals.approveAndExecute(proposal.approval.id, OPERATOR, ({ kind, event }) => {
        if (kind === 'remediation' && event.type === 'step-finished' && !ctx.output.quiet)
          out(`  ${renderStepOutcome(event.outcome, event.index, event.total)}\n`);
      }),
    );
    out(ctx.output.paint(`\n${renderResultText(done.result)}`));
    if (ctx.output.quiet) return;
    await driftStep(ctx, world, controlId, f.accountId);
    const entries = await recentEntries(services.store, { limit: 12 });
    out(
      `\n--- The audit log, oldest first (CIS_BOT_DB=${dbPath} node bin/cis-bot.js history shows it all) ---\n`,
    );
    out(renderHistoryText(entries));
    return;
  }
  out('\nNo account needs a fix the bot can make on its own.\n');
}

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'audit the bundled sandbox accounts and fix one with an approved plan (no AWS credentials needed)',
    )
    .addOption(outputOption())
    .addOption(
      new Option('--level <level>', 'notification level (default info; error with --quiet)').choices([
        ...LEVELS,
      ]),
    )
    .option('--control <id>', 'control to audit', '4.1')
    .action((opts: DemoOptions) => demo(ctx, opts));
}
