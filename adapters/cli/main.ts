/**
 * The `cis-bot` command line: builds the commander program from command registrars (audit and demo
 * here; remediate, history, pattern... register the same way) and maps outcomes to exit codes:
 * 0 compliant / success, 1 non-compliant, 2 error (bad flags, unknown control, configuration, AWS).
 * The options every command takes: --version, --color / --no-color (NO_COLOR, colour only on a
 * terminal), --quiet. `buildProgram(io)` takes injectable output and environment so tests run it in-process.
 */
import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { CisBotError } from '../../src/core/errors';
import { registerAccountsCommand } from './accounts-command';
import { registerAuditCommand } from './audit-command';
import { colorize, colorWanted } from './color';
import { registerDemoCommand } from './demo-command';
import { registerDrillCommand } from './drill-command';
import { registerEventsCommand } from './events-command';
import { registerExceptionCommands } from './exceptions-command';
import { registerHistoryCommand } from './history';
import { registerIamPolicyCommand } from './iam-policy';
import type { CliContext, CliIo, CliOutput, CommandRegistrar } from './io';
import { registerPatternCommands } from './pattern';
import { registerRemediateCommand } from './remediate';

export type { CliContext, CliIo, CliOutput, CommandRegistrar } from './io';

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
  registerDrillCommand,
  registerExceptionCommands,
  registerHistoryCommand,
  registerPattern,
  registerIamPolicyCommand,
  registerEventsCommand,
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
    .version(version, '-V, --version', 'print the version of cis-bot')
    .option('--color', 'colour the text output even when stdout is not a terminal')
    .option('--no-color', 'never colour the text output (also: NO_COLOR=1)')
    .option('-q, --quiet', 'print only what needs attention: no summaries, hints or progress')
    .showHelpAfterError('(run cis-bot --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  const output: CliOutput = {
    color: false,
    quiet: false,
    paint: (text) => (output.color ? colorize(text) : text),
  };
  // The program's options may stand before or after the command's name; they are known once parsed.
  program.hook('preAction', () => {
    const opts = program.opts<{ color?: boolean; quiet?: boolean }>();
    output.color = colorWanted(opts.color, io.env ?? process.env, io.isTty ?? false);
    output.quiet = opts.quiet === true;
  });
  const ctx: CliContext = {
    io,
    output,
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
  // On Node 20 the AWS SDK prints, on every command, a ten-line notice that its releases from 2027 will
  // need Node 22. A cis-bot user cannot act on it (cis-bot supports Node >= 20.12 and its SDK is pinned
  // by the lockfile), so our entry points (this one and src/main.ts) turn it off through the SDK's own
  // switch for that one notice, before any client is built; every other warning is printed as usual.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';
  runCli(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTty: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
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

// Run when executed directly (tsx adapters/cli/main.ts); bin/cis-bot.js calls main() of the bundle.
if (require.main === module) main();
