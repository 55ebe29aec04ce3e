/**
 * The CLI's progress bar: the core's progress events drawn on ONE stderr line of a terminal
 * (`Auditing 1,000 accounts [#######-------] 312/1000, 3 errors`), at most every 100 ms, erased when the
 * audit ends. Nothing is drawn when stderr is not a terminal (CI logs, pipes), and stdout is never
 * touched, so `--output json` stays clean.
 */
import type { AuditProgress, AuditProgressEvent } from '../../src/core/ports/audit-progress';
import type { CliIo } from './io';

const WIDTH = 28;
const EVERY_MS = 100;

export function barLine(e: AuditProgressEvent): string {
  const filled = e.total === 0 ? WIDTH : Math.round((e.done / e.total) * WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
  const problems = `${e.nonCompliant} non-compliant, ${e.errors} error${e.errors === 1 ? '' : 's'}`;
  return `Auditing ${e.total.toLocaleString('en-US')} account${e.total === 1 ? '' : 's'} [${bar}] ${e.done}/${e.total}, ${problems}`;
}

export interface ProgressBar {
  progress: AuditProgress;
  /** Erases the bar (call once the audit is over, before printing the result). */
  end(): void;
}

/** A bar on a terminal's stderr; undefined when stderr is not a terminal. */
export function progressBar(io: CliIo, now: () => number = () => performance.now()): ProgressBar | undefined {
  if (!io.stderrIsTTY) return undefined;
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    progress(e) {
      const t = now();
      if (e.done < e.total && t - last < EVERY_MS) return;
      last = t;
      drawn = true;
      io.stderr(`\r\x1b[K${barLine(e)}`);
    },
    end() {
      if (drawn) io.stderr('\r\x1b[K');
    },
  };
}
