/**
 * The coverage decision gives exactly the verdicts, witnesses and notes recorded in golden/decisions.json
 * before the engine was optimised (see its header): same verdict, same missed and extra events (compared
 * as serialised text, so even the key order of a witness is pinned), same note. This is what "no loss of
 * exactness" means for the optimisation: not only the verdicts, the examples users see too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Comparison, comparePatterns, type LogEvent } from '../../src/core/filter-pattern';

interface GoldenDecision {
  candidate: string;
  reference: string;
  verdict: Comparison['verdict'];
  missed: LogEvent | null;
  extra: LogEvent | null;
  note?: string;
}

const golden = JSON.parse(readFileSync(join(__dirname, 'golden', 'decisions.json'), 'utf8')) as {
  decisions: GoldenDecision[];
};

/** The comparable form of a decision: witnesses serialised so key order and value types count. */
function shape(d: Pick<Comparison, 'verdict' | 'missed' | 'extra' | 'note'>): string {
  return JSON.stringify({
    verdict: d.verdict,
    missed: JSON.stringify(d.missed),
    extra: JSON.stringify(d.extra),
    note: d.note ?? null,
  });
}

describe('the golden decisions recorded before the optimisation', () => {
  it('covers every pattern family and every verdict', () => {
    const families = new Set(golden.decisions.map((d) => `${d.candidate[0]}${d.reference[0]}`));
    expect(golden.decisions.length).toBeGreaterThan(2000);
    expect(families.size).toBeGreaterThanOrEqual(9);
    const verdicts = new Set(golden.decisions.map((d) => d.verdict));
    expect([...verdicts].sort()).toEqual(
      ['BROADER', 'DISJOINT', 'EQUIVALENT', 'NARROWER', 'OVERLAPPING', 'UNKNOWN'].sort(),
    );
  });

  it('are reproduced exactly: verdicts, missed and extra events, notes', () => {
    const mismatches: string[] = [];
    for (const d of golden.decisions) {
      // No budget: the recorded decisions were made without one, and a loaded CI machine must not
      // turn one into a timeout (every one of them takes milliseconds).
      const actual = comparePatterns(d.candidate, d.reference, { deadlineMs: Number.POSITIVE_INFINITY });
      if (shape(actual) !== shape(d)) {
        mismatches.push(
          `${d.candidate} vs ${d.reference}\n  expected ${shape(d)}\n  actual   ${shape(actual)}`,
        );
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(mismatches).toHaveLength(0);
  });
});
