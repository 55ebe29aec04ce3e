/**
 * Running the CLI in tests: `runProcess` spawns a real process and collects its exit code and both
 * streams; `cliSink` is an in-process CliIo for runCli that collects what the command writes.
 */
import { spawn } from 'node:child_process';
import type { CliIo } from '../../adapters/cli/main';

export interface ProcessResult {
  code: number | null;
  out: string;
  err: string;
}

export function runProcess(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], options);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

export function cliSink(env: NodeJS.ProcessEnv = {}, isTty = false): CliIo & { out: string; err: string } {
  const sink = {
    out: '',
    err: '',
    env,
    isTty,
    stdout(text: string) {
      sink.out += text;
    },
    stderr(text: string) {
      sink.err += text;
    },
  };
  return sink;
}
