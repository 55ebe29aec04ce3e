/**
 * A sandbox in a child process (sandbox-child.ts), driven over IPC: what a benchmark uses when the AWS
 * stand-in must not share the bot's CPU, event loop and memory, as a remote AWS endpoint would not.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxOptions } from '../../src/sandbox';
import type { CallCounts, ChildRequest } from './sandbox-child';

export interface SandboxProcess {
  endpoint: string;
  pid: number;
  /** CPU time (user + system) the child has spent so far, in ms; undefined where /proc is absent. */
  cpuMs(): number | undefined;
  credentialsFor(accountId: string): Promise<{ accessKeyId: string; secretAccessKey: string }>;
  calls(): Promise<CallCounts>;
  resetCalls(): Promise<void>;
  /** Every later call waits `ms` before it is answered. */
  setLatency(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in ticks of 1/100 s. */
const MS_PER_TICK = 10;

/** A process's CPU time (utime + stime) from /proc/<pid>/stat, or undefined where there is no /proc. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, hence the last ')'): state is field 3,
    // utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * MS_PER_TICK : undefined;
  } catch {
    return undefined;
  }
}

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

export async function sandboxProcess(options: SandboxOptions): Promise<SandboxProcess> {
  const child = fork(join(__dirname, 'sandbox-child.ts'), [], {
    // --single-threaded-gc: on a 2-core machine the child's parallel GC helper threads only add CPU
    // (and take it from the bot being measured); one GC thread cut the child's CPU by ~4% over 10,000
    // calls. A flag of the bench harness's AWS stand-in only; the bot's process is not touched.
    execArgv: ['--import', 'tsx', '--single-threaded-gc'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (value: unknown) => void>();
  let next = 0;
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { ready: boolean; endpoint?: string; error?: string }) =>
      m.ready ? resolve(m.endpoint ?? '') : reject(new Error(`sandbox process: ${m.error}`)),
    );
    child.once('exit', (code) => reject(new Error(`sandbox process exited with ${code}`)));
    child.send(options);
  });
  child.removeAllListeners('exit');
  child.on('message', (m: { id?: number; value?: unknown }) => {
    if (m.id === undefined) return;
    pending.get(m.id)?.(m.value);
    pending.delete(m.id);
  });
  const ask = <T>(req: Distribute<ChildRequest>): Promise<T> =>
    new Promise<T>((resolve) => {
      const id = next++;
      pending.set(id, resolve as (value: unknown) => void);
      child.send({ ...req, id });
    });
  return {
    endpoint,
    pid: child.pid ?? 0,
    cpuMs: () => (child.pid ? processCpuMs(child.pid) : undefined),
    credentialsFor: (accountId) => ask({ type: 'credentials', accountId }),
    calls: () => ask<CallCounts>({ type: 'calls' }),
    resetCalls: () => ask<void>({ type: 'reset' }),
    setLatency: (ms) => ask<void>({ type: 'latency', ms }),
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      await ask<void>({ type: 'close' });
      await exited;
    },
  };
}
