/**
 * How far V8 lets the old generation grow before its next full collection, for cis-bot's processes (the
 * CLI and the server call `tuneHeapGrowth()` first thing).
 *
 * Why: an audit of many accounts at once is a burst of short-lived objects (each account's AWS SDK clients,
 * requests, responses and snapshots) that outlive a few young-generation collections while their account is
 * in flight, so they are promoted and die in the old generation. By default V8 lets the old generation grow
 * up to several times its live size before collecting it, so the peak RSS is mostly that dead weight:
 * bench/audit.ts measured the CLI auditing 200 accounts at 201-227 MB, and bench/section-scale.ts the
 * 1,000-account section audit at ~400 MB, with ~30 MB (resp. ~80 MB) live. Growing by half the live size
 * instead brings them to ~155 MB and ~230 MB at the same wall time and CPU (the extra full collections
 * are incremental and short at these heap sizes).
 *
 * The flag is read by V8 each time it sets the next limit, so setting it at start-up (before any audit)
 * takes effect; someone who passes their own `--heap-growing-percent` to node keeps it.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

// Not set, measured: a larger young generation on the server's command line (`--max-semi-space-size=32`;
// it cannot be set from inside the process) cut the bot's CPU per AWS call of 1,000 accounts x section 4
// in-process by ~11% (1.48 -> 1.32 ms, peak RSS 252 -> 275 MB), but the flag is process-wide: the audit
// workers (src/aws/audit-workers.ts) took it too and the peak RSS with 2 workers rose to ~430-470 MB,
// past the < 400 MB target. Worth revisiting only with the workers' young generation set on their own.

/** The V8 flag to set, or undefined when node's own command line already chose one. */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  const chosen = execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a));
  return chosen ? undefined : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

export function tuneHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  const flag = heapGrowthFlag(execArgv);
  if (flag) setFlagsFromString(flag);
}
