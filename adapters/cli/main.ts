/**
 * The `cis-bot` command line: builds the commander program from command registrars (audit and demo
 * here; remediate, history, pattern... register the same way) and maps outcomes to exit codes:
 * 0 compliant / success, 1 non-compliant, 2 error (bad flags, unknown control, configuration, AWS).
 * `buildProgram(io)` takes injectable output and environment so tests run it in-process.
 */
import { Command, CommanderError } from 'commander';
import { CisBotError } from '../../src/core/errors';
import { registerAccountsCommand } from './accounts-command';
import { registerAuditCommand } from './audit-command';
import { registerDemoCommand } from './demo-command';
import { registerHistoryCommand } from './history';
import { registerIamPolicyCommand } from './iam-policy';
import type { CliContext, CliIo, CommandRegistrar } from './io';
import { registerPatternCommands } from './pattern';
import { registerRemediateCommand } from './remediate';

export type { CliContext, CliIo, CommandRegistrar } from './io';

/** Reads all of stdin (for `pattern test`); only called when that command runs. */
function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

/** `pattern compare|test` takes its own io shape; adapt the CLI context to it. */
const registerPattern: CommandRegistrar = (program, ctx) =>
  registerPatternCommands(program, {
    stdout: (s) => ctx.io.stdout(s),
    stderr: (s) => ctx.io.stderr(s),
    stdin: ctx.io.stdin ?? readStdin,
    setExitCode: (code) => ctx.setExitCode(code),
  });

/** Commands of the CLI, in help order. Other modules' registrars are added here. */
export const REGISTRARS: readonly CommandRegistrar[] = [
  registerAuditCommand,
  registerAccountsCommand,
  registerDemoCommand,
  registerRemediateCommand,
  registerHistoryCommand,
  registerPattern,
  registerIamPolicyCommand,
];

export interface ExitState {
  exitCode: number;
}

export function buildProgram(
  io: CliIo,
  registrars: readonly CommandRegistrar[] = REGISTRARS,
  state: ExitState = { exitCode: 0 },
): Command {
  const program = new Command('cis-bot')
    .description(
      'Audit (and fix) CIS AWS Foundations v4.0.0 section 4 monitoring controls, starting with 4.1.',
    )
    .showHelpAfterError('(run cis-bot --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  const ctx: CliContext = {
    io,
    setExitCode(code) {
      state.exitCode = Math.max(state.exitCode, code);
    },
  };
  for (const register of registrars) register(program, ctx);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  registrars: readonly CommandRegistrar[] = REGISTRARS,
): Promise<number> {
  const state: ExitState = { exitCode: 0 };
  const program = buildProgram(io, registrars, state);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help/version text).
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
        ? 0
        : 2;
    }
    if (error instanceof CisBotError) {
      io.stderr(`cis-bot: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`cis-bot: unexpected error: ${message}\n`);
    return 2;
  }
}

/** The process entry: real stdout/stderr, the process's argv; sets process.exitCode. */
export function main(): void {
  runCli(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`cis-bot: ${String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

// Run when executed directly (tsx adapters/cli/main.ts) or through bin/cis-bot.js, which only requires this file.
const entry = require.main;
if (entry === module || (entry !== undefined && /[\\/]bin[\\/]cis-bot(\.js)?$/.test(entry.filename))) main();
