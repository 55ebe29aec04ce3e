/**
 * The coverage decision's time budget: valid patterns whose automata are huge (the security review's
 * `%.{0,1000}a.{0,1000}%` family) stay inside every step limit of the engine and used to take tens of
 * seconds, synchronously. Now they come back UNKNOWN, "decision took too long", within the budget.
 * Assertions are on verdicts and notes, never on timing (bench/filter-pattern.ts prints the times).
 */

import { Worker } from 'node:worker_threads';
import { getMetricFilterControl } from '../../src/core/controls';
import {
  comparePatterns,
  DECISION_STALLED_NOTE,
  DECISION_TIMEOUT_NOTE,
  DEFAULT_DECISION_MS,
  decisionCache,
  decisionStalled,
  decisionTimedOut,
  parsePattern,
} from '../../src/core/filter-pattern';
import {
  Deadline,
  DecisionTimeout,
  HAS_THREAD_CPU_CLOCK,
  threadCpuMs,
} from '../../src/core/filter-pattern/deadline';
import { jsonProblem } from '../../src/core/filter-pattern/domain';
import { exploreStringClasses } from '../../src/core/filter-pattern/explore';
import { regexNfa } from '../../src/core/filter-pattern/regex';
import { and, type Formula, not, solve } from '../../src/core/filter-pattern/solver';
import { expectVerifiedWitnesses, skewedClock, slowWallClock } from './helpers';

const V41 = getMetricFilterControl('4.1').pattern;

/** The security review's proof of concept: a valid pattern that took ~18 s to decide. */
const HOSTILE = '{ $.errorCode = %.{0,1000}a.{0,1000}% && $.eventName = %[a-z]{0,1000}b{1000}% }';

/** Variants, each 10x or more over the default budget when decided without one. */
const HOSTILE_VARIANTS: readonly [string, string][] = [
  ['the review pattern', HOSTILE],
  [
    'the review pattern re-spaced and re-parenthesised',
    '{(($.errorCode=%.{0,1000}a.{0,1000}%))&&   ($.eventName = %[a-z]{0,1000}b{1000}%)}',
  ],
  ['one field', '{ $.eventName = %[a-z]{0,1000}b{1000}% }'],
  ['or-ed with a CIS clause', '{ $.errorCode = %[a-z]{0,1000}b{1000}% || $.errorCode = "AccessDenied*" }'],
  ['a term pattern (mixed families)', '%[a-z]{0,1000}b{1000}%'],
];

/** These describes assert timeouts of the CPU budget, which a busy host's wall-clock cap must not preempt. */
function withSlowWallClock(): void {
  let clock: jest.SpyInstance;
  beforeEach(() => {
    clock = slowWallClock();
  });
  afterEach(() => clock.mockRestore());
}

describe('comparePatterns under its time budget', () => {
  withSlowWallClock();

  it('has a default budget of a few hundred ms', () => {
    expect(DEFAULT_DECISION_MS).toBeGreaterThanOrEqual(100);
    expect(DEFAULT_DECISION_MS).toBeLessThanOrEqual(500);
  });

  it.each(HOSTILE_VARIANTS)('%s: UNKNOWN, "decision took too long"', (_name, pattern) => {
    const result = comparePatterns(pattern, V41);
    expect(result.verdict).toBe('UNKNOWN');
    expect(result.note).toMatch(/^decision took too long: stopped after 300 ms of engine time while /);
    expect(result.note).toContain('not accepted as coverage');
    expect(decisionTimedOut(result)).toBe(true);
    // Any witness kept from before the deadline is real.
    expectVerifiedWitnesses(pattern, V41, result);
  });

  it('term against term: the regex exploration stops at the deadline too', () => {
    const result = comparePatterns('%[a-z]{0,1000}b{1000}%', '?AccessDenied ?UnauthorizedOperation');
    expect(result.verdict).toBe('UNKNOWN');
    expect(result.note?.startsWith(DECISION_TIMEOUT_NOTE)).toBe(true);
  });

  it('honours a caller budget: 0 ms stops an ordinary but non-trivial decision', () => {
    const result = comparePatterns(V41.replace(' }', ' && ($.eventName != "GetObject") }'), V41, {
      deadlineMs: 0,
    });
    expect(result.verdict).toBe('UNKNOWN');
    expect(result.note).toMatch(/^decision took too long: stopped after 0 ms of engine time/);
  });

  it('keeps every ordinary verdict and says nothing about time when it decides', () => {
    const cases: [string, string, string][] = [
      [V41, V41, 'EQUIVALENT'],
      ['{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }', V41, 'BROADER'],
      ['{ $.errorCode = %^AccessDenied% }', '{ $.errorCode = "AccessDenied*" }', 'EQUIVALENT'],
      ['{ $.errorCode = %Denied$% }', '{ $.errorCode = "*Denied" }', 'EQUIVALENT'],
      ['{ $.a = %a{3,5}% }', '{ $.a = %aaa% }', 'EQUIVALENT'],
    ];
    for (const [c, r, verdict] of cases) {
      for (const options of [{}, { deadlineMs: Number.POSITIVE_INFINITY }]) {
        const result = comparePatterns(c, r, options);
        expect(result.verdict).toBe(verdict);
        expect(decisionTimedOut(result)).toBe(false);
      }
    }
  });

  it('a search-limit UNKNOWN is not a timeout', () => {
    const limit = {
      verdict: 'UNKNOWN' as const,
      missed: null,
      extra: null,
      note: 'the search space was too large',
    };
    expect(decisionTimedOut(limit)).toBe(false);
    expect(decisionTimedOut({ verdict: 'NARROWER', missed: 'x', extra: null })).toBe(false);
  });
});

describe('the engine loops check the deadline', () => {
  withSlowWallClock();

  it('string exploration throws DecisionTimeout past it', () => {
    const nfas = [regexNfa('.{0,1000}a.{0,1000}'), regexNfa('[a-z]{0,1000}b{1000}')];
    expect(() => exploreStringClasses(nfas, undefined, new Deadline(0))).toThrow(DecisionTimeout);
    expect(() => exploreStringClasses(nfas, undefined, new Deadline(0))).toThrow(
      /while exploring the strings the patterns' wildcards and regexes can match/,
    );
  });

  it('the solver throws DecisionTimeout past it', () => {
    // 30 independent pairs of fields, and a goal with no solution: the search has to go through them.
    const p = parsePattern(`{${Array.from({ length: 30 }, (_, i) => `($.f${i}=a||$.g${i}=a)`).join('&&')}}`);
    if (p.kind !== 'json') throw new Error('a JSON pattern expected');
    const built = jsonProblem([p.expr]);
    const [f] = built.formulas as [Formula];
    expect(() => solve(built.problem, and(f, not(f)), undefined, new Deadline(0))).toThrow(
      /while searching for events that tell the patterns apart/,
    );
  });

  it('a pattern that is costly to search (not to explore) stops in the solver', () => {
    // Compared with itself, the "no missed event" proof walks 2M solver steps (~6 s) without a deadline.
    const p = `{${Array.from({ length: 30 }, (_, i) => `($.f${i}=a||$.g${i}=a)`).join('&&')}}`;
    const result = comparePatterns(p, p);
    expect(result.verdict).toBe('UNKNOWN');
    expect(result.note).toMatch(
      /^decision took too long: stopped after 300 ms of engine time while searching for events that tell the patterns apart/,
    );
  });
});

/** This thread's CPU time in ms from Node's thread clock (only called where HAS_THREAD_CPU_CLOCK). */
function ownCpuMs(): number {
  const u = (process as unknown as { threadCpuUsage: () => NodeJS.CpuUsage }).threadCpuUsage();
  return (u.user + u.system) / 1000;
}

/** A sibling thread of this process burning CPU until `stop()`; resolves once it is running. */
async function busySibling(): Promise<{ stop: () => Promise<void> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     parentPort.postMessage('running');
     while (Atomics.load(workerData, 0) === 0) {}`,
    { eval: true, workerData: flag },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  return {
    stop: async () => {
      Atomics.store(flag, 0, 1);
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

describe("the budget is the deciding thread's CPU time (audit workers decide side by side)", () => {
  if (HAS_THREAD_CPU_CLOCK) {
    it("a sibling thread's CPU does not use it up: it ends at its own CPU budget or its wall cap", async () => {
      const sibling = await busySibling();
      try {
        const budget = 150;
        const deadline = new Deadline(budget);
        const [cpu0, wall0] = [ownCpuMs(), performance.now()];
        let expired = false;
        while (!expired) {
          try {
            deadline.check('spinning');
          } catch (error) {
            expect(error).toBeInstanceOf(DecisionTimeout);
            expired = true;
          }
        }
        const [cpu, wall] = [ownCpuMs() - cpu0, performance.now() - wall0];
        // With the process's CPU time, the sibling's share ended it at about budget / 2 of both.
        expect(cpu >= budget - 3 || wall >= 3 * budget - 3).toBe(true);
      } finally {
        await sibling.stop();
      }
    });
  } else {
    it("on a Node without a thread clock, the process's CPU time stands in", () => {
      const before = process.cpuUsage();
      const clock = threadCpuMs();
      const after = process.cpuUsage();
      expect(clock).toBeGreaterThanOrEqual((before.user + before.system) / 1000);
      expect(clock).toBeLessThanOrEqual((after.user + after.system) / 1000);
    });
  }
});

/** Blocks this thread for `ms` of wall time without using CPU (as a busy host or a paused VM would). */
function stall(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('a decision the host kept from running (the wall-clock cap before the CPU budget)', () => {
  // Installed for this describe's tests only (a spy made in the describe's body would be in place from
  // the file's start, under every test before it).
  let clock: ReturnType<typeof skewedClock>;
  beforeAll(() => {
    clock = skewedClock();
  });
  afterAll(() => clock.spy.mockRestore());

  it('ends as "the host was too busy", not as a costly pattern', () => {
    const deadline = new Deadline(100);
    stall(400);
    expect(() => deadline.check('waiting')).toThrow(
      `${DECISION_STALLED_NOTE} to give it 100 ms of engine time within 300 ms while waiting; it is decided again on the next audit`,
    );
  });

  it('is not kept by the decision cache: the next request decides it again, and a real timeout is kept', () => {
    const pattern = '{ $.eventName = %[a-z]{0,1000}b{777}% }';
    clock.step(50); // each read of the clock 50 ms later: the wall cap passes in a few checks
    const stalled = decisionCache.compare(pattern, V41);
    clock.step(0);
    clock.slow(10); // what follows must use up its CPU budget however busy the host is
    expect(decisionStalled(stalled)).toBe(true);
    expect(stalled.note).toMatch(/it is decided again on the next audit$/);
    const decided = decisionCache.compare(pattern, V41);
    expect(decided).not.toBe(stalled);
    expect(decisionStalled(decided)).toBe(false);
    expect(decided.note).toMatch(/^decision took too long: stopped after 300 ms of engine time/);
    expect(decisionCache.compare(pattern, V41)).toBe(decided);
  });
});
