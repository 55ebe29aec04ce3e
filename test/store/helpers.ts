/**
 * Test helpers for the store: temporary database files, and worker processes (real second processes
 * over the same file) started with tsx, held at a barrier until `go()` so their work overlaps.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export function tempDir(prefix = 'cis-bot-store-'): {
  dir: string;
  file: (name: string) => string;
  remove: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const ROOT = resolve(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

export interface Worker {
  /** Resolves when the worker printed `ready` (store open, waiting at the barrier). */
  ready: Promise<void>;
  /** Releases the barrier. */
  go(): void;
  /** The JSON the worker printed last, once it exited with status 0 (or a rejection with its stderr). */
  result: Promise<unknown>;
  /** The last JSON line printed so far (for workers that are meant to die). */
  last(): unknown;
  /** Exit code/signal, for workers that are meant to die. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  child: ChildProcessWithoutNullStreams;
}

const running = new Set<ReturnType<typeof spawn>>();

/** Kills the workers still running (a test that failed half-way may leave one waiting for `go`). */
export function killWorkers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Starts `node_modules/.bin/tsx <script> <json args>`; the script speaks the ready/go/result protocol. */
export function startWorker(script: string, args: unknown): Worker {
  const child = spawn(TSX, [script, JSON.stringify(args)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let onReady: () => void = () => {};
  const ready = new Promise<void>((res) => {
    onReady = res;
  });
  let last: unknown;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') onReady();
    else if (line.startsWith('{')) last = JSON.parse(line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.on('exit', (code, signal) => res({ code, signal }));
  });
  const result = exited.then(({ code, signal }) => {
    if (code !== 0) throw new Error(`worker ${script} exited with ${code ?? signal}: ${stderr}`);
    return last;
  });
  // Workers meant to die are awaited through `exited`; do not let their `result` go unhandled.
  result.catch(() => {});
  // Fail `ready` too if the worker dies first, so tests do not hang on it.
  const readyOrDeath = Promise.race([
    ready,
    exited.then(({ code, signal }) => {
      throw new Error(`worker ${script} exited (${code ?? signal}) before ready: ${stderr}`);
    }),
  ]);
  readyOrDeath.catch(() => {});
  return {
    ready: readyOrDeath,
    go: () => child.stdin.end('go\n'),
    result,
    last: () => last,
    exited,
    child,
  };
}
