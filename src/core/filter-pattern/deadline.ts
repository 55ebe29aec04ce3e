/**
 * The wall-clock budget of one coverage decision. The engine's other limits count steps (solver
 * steps, product states, NFA states), but one step can cost a microsecond or milliseconds depending
 * on the automata: a valid pattern such as `%.{0,1000}a.{0,1000}%` stays inside every step limit and
 * still takes tens of seconds, synchronously. Only a clock bounds that. The loops that can run long
 * count their work here and read the clock every CHECK_EVERY units, so the check costs nothing
 * measurable; past the deadline they throw DecisionTimeout, which comparePatterns turns into an
 * UNKNOWN verdict (a pattern that costly to decide is never accepted as coverage).
 *
 * The budget is CPU time of the process, capped at WALL_FACTOR times as much wall-clock time: on a
 * loaded machine (other processes, a parallel test run) an ordinary pattern that needs 5 ms of CPU
 * can take 50 ms of wall time, and must not turn UNKNOWN for it; the wall cap still bounds how long
 * the event loop is blocked.
 */
import { CisBotError } from '../errors';

/** Default time budget of comparePatterns, in milliseconds. The CIS corpus decides in ~3 ms per pair. */
export const DEFAULT_DECISION_MS = 300;

/** Work units (roughly: NFA states touched, solver steps) between two clock reads. */
const CHECK_EVERY = 2048;

/** The wall-clock cap, as a multiple of the CPU budget. */
const WALL_FACTOR = 3;

/** CPU time (user + system) this process has used, in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** How the note of a timed-out comparison begins. */
export const DECISION_TIMEOUT_NOTE = 'decision took too long';

/** Thrown inside the engine when a decision runs past its deadline; never escapes comparePatterns. */
export class DecisionTimeout extends CisBotError {
  constructor(
    readonly budgetMs: number,
    readonly stage: string,
  ) {
    super(
      'PATTERN_DECISION_TIMEOUT',
      `${DECISION_TIMEOUT_NOTE}: stopped after ${formatMs(budgetMs)} of engine time while ${stage}; ` +
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
   * Infinity never expires; 0 or less expires at the first clock read.
   */
  constructor(readonly budgetMs: number) {
    const ms = Number.isNaN(budgetMs) ? 0 : budgetMs;
    const finite = Number.isFinite(ms);
    this.cpuAt = finite ? cpuMs() + ms : ms;
    this.wallAt = finite ? performance.now() + WALL_FACTOR * Math.max(0, ms) : ms;
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
    if (this.cpuAt === Number.POSITIVE_INFINITY) return;
    if (cpuMs() > this.cpuAt || performance.now() > this.wallAt) {
      throw new DecisionTimeout(this.budgetMs, stage);
    }
  }
}

/** A deadline that never expires, for callers that pass none (e.g. internal helpers, the CLI). */
export const NO_DEADLINE = new Deadline(Number.POSITIVE_INFINITY);

export const STAGE_EXPLORE = "exploring the strings the patterns' wildcards and regexes can match";
export const STAGE_SEARCH = 'searching for events that tell the patterns apart';
