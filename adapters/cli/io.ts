/** What CLI commands receive: output sinks, the environment for configuration, and test hooks. */
import type { Command } from 'commander';
import type { SdkClientConfig } from '../../src/cli-runtime';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: progress is drawn there (never on stdout). */
  stderrIsTTY?: boolean;
  /** Environment for `loadConfig`; absent means the process's (read by src/config/load.ts only). The AWS SDK reads its own. */
  env?: NodeJS.ProcessEnv;
  /** All of standard input (for `pattern test`); default: the process's stdin. */
  stdin?: () => Promise<string>;
  /** Test hook: SDK client settings (a fast retry strategy, for instance). */
  clientConfig?: SdkClientConfig;
  /** Whether stdout is a terminal (colour's default); absent: not a terminal. */
  isTty?: boolean;
}

/** How text output looks, from the program's options (--color / --no-color / NO_COLOR, --quiet). */
export interface CliOutput {
  color: boolean;
  /** --quiet: only what needs attention (findings at level error, plans, results, errors). */
  quiet: boolean;
  /** Colours the status marks of a text output when colour is on; JSON never goes through it. */
  paint(text: string): string;
}

export interface CliContext {
  io: CliIo;
  output: CliOutput;
  /** Commands report their outcome here; the process exits with the highest code set. */
  setExitCode(code: number): void;
}

/** Adds one command (audit, demo, remediate, history, pattern...) to the program. */
export type CommandRegistrar = (program: Command, ctx: CliContext) => void;
