/**
 * Does a metric filter do a chain control's job? A control accepts its main pattern or any of its
 * recorded variants (the CIS text offers them as alternatives, e.g. 4.2's SSO variant, NARROWER than the
 * main pattern): a filter that covers one of them is accepted, and the judgement says which. The
 * collector (which alarms to read) and the metric-filter link (the verdict) both judge through here, so
 * they never disagree about a filter.
 */
import type { MetricFilterControl } from '../controls/types';
import { DECISION_TIMEOUT_NOTE } from '../filter-pattern';
import { Lru } from '../filter-pattern/lru';
import { type FilterJudgement, judgeFilter } from './filter-judge';

/** A pattern the control accepts: its main one, or a variant (named). */
export interface AcceptedReference {
  pattern: string;
  /** The variant's name; absent for the main pattern. */
  variant?: string;
}

export interface ControlJudgement {
  judgement: FilterJudgement;
  /** What the filter was judged against: the accepted reference it covers, else the main pattern. */
  reference: AcceptedReference;
}

type Judged = Pick<MetricFilterControl, 'pattern' | 'variants' | 'benignEvents'>;

/**
 * The filter's judgement against the main pattern when it covers it; else against the first variant it
 * covers; else against the main pattern (the closest miss is reported against what CIS asks first).
 *
 * Remembered per control and filter text: a section audit asks it for every filter x control twice per
 * account (the collector, then the metric-filter link), and 1,000 accounts carry the same filters. A
 * judgement is a pure function of the pattern, the references and the benign events, except one that
 * ran out of time, which is never remembered here (judgeFilter decides what happens to it).
 */
export function judgeForControl(pattern: string, control: Judged): ControlJudgement {
  let byPattern = remembered.get(control);
  const hit = byPattern?.get(pattern);
  if (hit) return hit;
  const { judged, timedOut } = decide(pattern, control);
  if (!timedOut) {
    if (!byPattern) {
      byPattern = new Lru(REMEMBERED_PER_CONTROL);
      remembered.set(control, byPattern);
    }
    byPattern.set(pattern, judged);
  }
  return judged;
}

/** Filter texts remembered per control (least recently used dropped first). */
export const REMEMBERED_PER_CONTROL = 1024;
const remembered = new WeakMap<Judged, Lru<string, ControlJudgement>>();

function decide(pattern: string, control: Judged): { judged: ControlJudgement; timedOut: boolean } {
  const main = judgeFilter(pattern, control.pattern, control.benignEvents);
  let timedOut = ranOutOfTime(main);
  if (main.covers) return { judged: { judgement: main, reference: { pattern: control.pattern } }, timedOut };
  for (const v of control.variants) {
    const judgement = judgeFilter(pattern, v.pattern, control.benignEvents);
    timedOut ||= ranOutOfTime(judgement);
    if (judgement.covers) {
      return { judged: { judgement, reference: { pattern: v.pattern, variant: v.name } }, timedOut };
    }
  }
  return { judged: { judgement: main, reference: { pattern: control.pattern } }, timedOut };
}

const ranOutOfTime = (j: FilterJudgement) => j.note?.startsWith(DECISION_TIMEOUT_NOTE) === true;

/** `CIS 4.2`, or `CIS 4.2 (SSO variant)` for a variant: how a finding names what a filter covers. */
export function referenceLabel(controlId: string, reference: AcceptedReference): string {
  return `CIS ${controlId}${reference.variant ? ` (${reference.variant} variant)` : ''}`;
}
