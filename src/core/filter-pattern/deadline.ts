/**
 * The wall-clock budget of one coverage decision. The engine's other limits count steps (solver
 * steps, product states, NFA states), but one step can cost a microsecond or milliseconds depending
 * on the automata: a valid pattern such as `%.{0,1000}a.{0,1000}%` stays inside every step limit and
 * still takes tens of seconds, synchronously. Only a clock bounds that. The loops that can run long
 * count their work here and read the clock every CHECK_EVERY units, so the check costs nothing
 * measurable; past the deadline they throw DecisionTimeout, which comparePatterns turns into an
 * UNKNOWN verdict (a pattern that costly to decide is never accepted as coverage).
 *
 * The budget is CPU time of the deciding thread, capped at WALL_FACTOR times as much wall-clock time:
 * on a loaded machine (other processes, a parallel test run) an ordinary pattern that needs 5 ms of
 * CPU can take 50 ms of wall time, and must not turn UNKNOWN for it; the wall cap still bounds how
 * long the event loop is blocked. The thread's own CPU time, not the process's: the process's counts
 * every thread (audit workers deciding side by side, V8's compiler and GC threads), so on a machine with
 * four audit workers busy it ran up to five times faster than the decision's own, and a verdict depended
 * on what the other threads were doing. Node gives a thread's CPU time from 23.9 and in later 22.x releases
 * (process.threadCpuUsage); on older Node the process's stands in (what every Node did before).
 */
import { CisBotError } from '../errors';

/** Default time budget of comparePatterns, in milliseconds. The CIS corpus decides in ~3 ms per pair. */
export const DEFAULT_DECISION_MS = 300;

/** Work units (roughly: NFA states touched, solver steps) between two clock reads. */
const CHECK_EVERY = 2048;

/** The wall-clock cap, as a multiple of the CPU budget. */
const WALL_FACTOR = 3;

/**
 * Wall time between two reads of the thread's CPU time. That read is a system call (about a
 * microsecond, a sizeable part of a memoised decision), so every deadline shares one sample of it,
 * refreshed when it is this old: a decision that ends within a millisecond reads no clock but the
 * wall clock, and a sample is never more than this stale.
 */
const CPU_SAMPLE_MS = 1;

/** process.threadCpuUsage where this Node has it (23.9 and later 22.x releases; @types/node does not declare it yet). */
const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.bind(process);

/** Whether threadCpuMs is the calling thread's own CPU time (otherwise it is the whole process's). */
export const HAS_THREAD_CPU_CLOCK = threadCpuUsage !== undefined;

/** CPU time (user + system) the calling thread has used, in ms: see the module comment. */
export function threadCpuMs(): number {
  const u = threadCpuUsage ? threadCpuUsage() : process.cpuUsage();
  return (u.user + u.system) / 1000;
}

let sampledAt = Number.NEGATIVE_INFINITY;
let sampledCpu = 0;

/** Refreshes the shared CPU sample when it is CPU_SAMPLE_MS old at wall time `now`. */
function sampleCpu(now: number): void {
  if (now - sampledAt >= CPU_SAMPLE_MS) {
    sampledAt = now;
    sampledCpu = threadCpuMs();
  }
}

/** How the note of a timed-out comparison begins. */
export const DECISION_TIMEOUT_NOTE = 'decision took too long';

/**
 * How the note of a decision stopped by the wall-clock cap before it had its CPU budget begins: the
 * host (other processes, a container's CPU quota, a paused VM) kept the thread from running, which says
 * nothing about the pattern. Such a result is never remembered (decision cache, judgements): the next
 * audit decides it again, where a pattern that used up its CPU budget stays UNKNOWN for good.
 */
export const DECISION_STALLED_NOTE = `${DECISION_TIMEOUT_NOTE}: the host was too busy`;

/** Thrown inside the engine when a decision runs past its deadline; never escapes comparePatterns. */
export class DecisionTimeout extends CisBotError {
  constructor(
    readonly budgetMs: number,
    readonly stage: string,
    /** The wall-clock cap ended it before its CPU budget was spent. */
    readonly stalled = false,
  ) {
    super(
      'PATTERN_DECISION_TIMEOUT',
      stalled
        ? `${DECISION_STALLED_NOTE} to give it ${formatMs(budgetMs)} of engine time within ` +
            `${formatMs(WALL_FACTOR * budgetMs)} while ${stage}; it is decided again on the next audit`
        : `${DECISION_TIMEOUT_NOTE}: stopped after ${formatMs(budgetMs)} of engine time while ${stage}; ` +
            'a pattern this costly to decide is not accepted as coverage',
    );
  }
}

function formatMs(ms: number): string {
  return `${Math.max(0, Math.round(ms))} ms`;
}

export class Deadline {
  private work = 0;
  private readonly cpuAt: number;
  private readonly wallAt: number;
  /**
   * Expires once `budgetMs` of CPU time or WALL_FACTOR * `budgetMs` of wall time have passed from now.
   * Infinity never expires; 0 or less expires at the first clock read, which is then the first tick.
   *
   * CPU time comes from the shared sample (at most CPU_SAMPLE_MS stale): the start is taken as the
   * sample plus all the wall time since it, the current time at a check as the sample. Both errors
   * are under about CPU_SAMPLE_MS and lean in the decision's favour (a thread's CPU time cannot grow
   * faster than wall time), so a budget is overrun by at most about 2 ms, and not cut short.
   */
  constructor(readonly budgetMs: number) {
    const ms = Number.isNaN(budgetMs) ? 0 : budgetMs;
    if (Number.isFinite(ms)) {
      const now = performance.now();
      sampleCpu(now);
      this.cpuAt = sampledCpu + (now - sampledAt) + ms;
      this.wallAt = now + WALL_FACTOR * Math.max(0, ms);
    } else {
      this.cpuAt = ms;
      this.wallAt = ms;
    }
    if (ms <= 0) this.work = CHECK_EVERY;
  }

  /** Counts `units` of work done while `stage`; reads the clock only every CHECK_EVERY units. */
  tick(stage: string, units = 1): void {
    this.work += units;
    if (this.work >= CHECK_EVERY) {
      this.work = 0;
      this.check(stage);
    }
  }

  /** Reads the clocks now; throws DecisionTimeout when the deadline has passed. */
  check(stage: string): void {
    if (this.wallAt === Number.POSITIVE_INFINITY) return;
    // No budget at all (0, negative, NaN) has passed at the first read, whatever the clocks say.
    if (!(this.budgetMs > 0)) throw new DecisionTimeout(this.budgetMs, stage);
    const now = performance.now();
    sampleCpu(now);
    if (sampledCpu > this.cpuAt) throw new DecisionTimeout(this.budgetMs, stage);
    if (now > this.wallAt) throw new DecisionTimeout(this.budgetMs, stage, true);
  }
}

/** A deadline that never expires, for callers that pass none (e.g. internal helpers, the CLI). */
export const NO_DEADLINE = new Deadline(Number.POSITIVE_INFINITY);

export const STAGE_EXPLORE = "exploring the strings the patterns' wildcards and regexes can match";
export const STAGE_SEARCH = 'searching for events that tell the patterns apart';
