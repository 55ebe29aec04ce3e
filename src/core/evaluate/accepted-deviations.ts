/**
 * Named deviations inside the chain evaluation (issue 14): an approved exception that accepts exactly one
 * metric filter pattern (by its SHA-256) as covering a control in one account. The evaluation treats that
 * filter as covering the control's pattern and checks the rest of the chain after it as usual (alarm on
 * its metric, the alarm's topic, confirmed subscribers, the topic's key), so a deviation never hides a
 * chain that is also broken further down. Which exceptions are valid is decided by the caller
 * (core/exceptions/apply.ts); here they are data.
 */
import { sha256Hex } from '../remediation/canonical';
import type { AcceptedException } from './findings';

export interface AcceptedDeviation {
  control: string;
  accountId: string;
  /** SHA-256 (hex) of the accepted filter pattern, verbatim. */
  filterPatternHash: string;
  /** The approved exception, as a finding it accepts shows it. */
  exception: AcceptedException;
}

/** The hash a deviation names its filter pattern by. */
export function patternHash(pattern: string): string {
  return sha256Hex(pattern);
}

/** The deviations of one control in one account. */
export function deviationsFor(
  deviations: readonly AcceptedDeviation[],
  controlId: string,
  accountId: string,
): AcceptedDeviation[] {
  return deviations.filter((d) => d.control === controlId && d.accountId === accountId);
}

/** What a metric-filter link accepted by a deviation records in its evidence (`acceptedBy`). */
export interface AcceptedBy {
  exceptionId: string;
  until: string;
}

/** The exception a link was accepted by (its evidence's `acceptedBy`), if any. */
export function acceptedByOf(link: { evidence: Readonly<Record<string, unknown>> }): AcceptedBy | undefined {
  const by = link.evidence.acceptedBy as Partial<AcceptedBy> | undefined;
  return typeof by?.exceptionId === 'string' && typeof by.until === 'string'
    ? { exceptionId: by.exceptionId, until: by.until }
    : undefined;
}
