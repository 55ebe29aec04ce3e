/**
 * `cis-bot demo`: audits the bundled sandbox scenario (a security account reaching six member accounts
 * through AssumeRole, one compliant and the others each broken at a different link) and prints the
 * result. No AWS credentials are needed or read. Exits 0 when the demo ran, whatever it found.
 */
import { type Command, Option } from 'commander';
import { runAudit } from '../../src/aws/auditor';
import { getControl } from '../../src/core/controls/registry';
import { LEVELS, type NotificationLevel } from '../../src/core/levels';
import { printOutcome } from './audit-command';
import type { CliContext } from './io';
import { bundledScenario, startSandboxRun } from './sandbox-run';

interface DemoOptions {
  output: 'text' | 'json';
  level: NotificationLevel;
  control: string;
}

async function demo(ctx: CliContext, opts: DemoOptions): Promise<void> {
  const control = getControl(opts.control);
  const run = await startSandboxRun(bundledScenario('audit-demo'), {
    ...(ctx.io.clientConfig ? { clientConfig: ctx.io.clientConfig } : {}),
  });
  try {
    run.session.allowAccounts(run.otherAccounts);
    if (opts.output === 'text') {
      ctx.io.stdout(
        `Demo: the AWS sandbox at ${run.sandbox.endpoint} holds ${run.otherAccounts.length + 1} accounts; ` +
          `auditing ${run.otherAccounts.length} of them from the security account ${run.callerAccount} through AssumeRole.\n\n`,
      );
    }
    const outcome = await runAudit({
      control,
      session: run.session,
      region: run.defaultRegion,
      accounts: run.otherAccounts,
      labels: run.labels,
      concurrency: 8,
    });
    printOutcome(ctx.io, control, outcome, opts.output, opts.level);
    ctx.setExitCode(0);
  } finally {
    await run.close();
  }
}

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('audit the bundled sandbox accounts (no AWS credentials needed)')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--level <level>', 'notification level').choices([...LEVELS]).default('info'))
    .option('--control <id>', 'control to audit', '4.1')
    .action((opts: DemoOptions) => demo(ctx, opts));
}
