/**
 * Does a metric filter do a chain control's job? A control accepts its main pattern or any of its
 * recorded variants (the CIS text offers them as alternatives, e.g. 4.2's SSO variant, NARROWER than the
 * main pattern): a filter that covers one of them is accepted, and the judgement says which. The
 * collector (which alarms to read) and the metric-filter link (the verdict) both judge through here, so
 * they never disagree about a filter.
 */
import type { MetricFilterControl } from '../controls/types';
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
 */
export function judgeForControl(pattern: string, control: Judged): ControlJudgement {
  const main = judgeFilter(pattern, control.pattern, control.benignEvents);
  if (main.covers) return { judgement: main, reference: { pattern: control.pattern } };
  for (const v of control.variants) {
    const judgement = judgeFilter(pattern, v.pattern, control.benignEvents);
    if (judgement.covers) return { judgement, reference: { pattern: v.pattern, variant: v.name } };
  }
  return { judgement: main, reference: { pattern: control.pattern } };
}

/** `CIS 4.2`, or `CIS 4.2 (SSO variant)` for a variant: how a finding names what a filter covers. */
export function referenceLabel(controlId: string, reference: AcceptedReference): string {
  return `CIS ${controlId}${reference.variant ? ` (${reference.variant} variant)` : ''}`;
}
