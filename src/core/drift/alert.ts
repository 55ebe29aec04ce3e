/**
 * A drift alert: one control of one account changed status after calls that can break its chain. What
 * the re-audit found (the finding after), what was recorded before, and the calls of the batch that can
 * break this control (who, from where, when). Pure.
 */
import type { AccountFinding, AccountStatus } from '../evaluate/findings';
import type { NotificationLevel } from '../levels';
import type { ChainChange } from './change-event';

export interface DriftAlert {
  control: string;
  controlTitle: string;
  /** The status recorded before the change; undefined when the control was never audited there. */
  before: AccountStatus | undefined;
  after: AccountFinding;
  /** When the re-audit finished (ISO). */
  auditedAt: string;
  /** The calls of the batch that can break this control, oldest first. */
  changes: readonly ChainChange[];
}

/** Breaking news is shown at `error` (every target sees it); back to compliant at `info`. */
export function alertLevel(alert: Pick<DriftAlert, 'after'>): NotificationLevel {
  return alert.after.status === 'COMPLIANT' ? 'info' : 'error';
}

/**
 * Whether a re-audit's verdict is news: a change from the recorded status; with nothing recorded (the
 * control was never audited in the account), a broken link that one of the calls can break: a chain
 * the calls broke is worth saying, one that was never built is the digest's business.
 */
export function isNews(
  before: AccountStatus | undefined,
  after: Pick<AccountFinding, 'control' | 'status' | 'brokenLink'>,
  changes: readonly ChainChange[],
): boolean {
  if (before !== undefined) return before !== after.status;
  if (after.status === 'COMPLIANT' || after.brokenLink === undefined) return false;
  return changes.some((c) => c.links.some((l) => l.control === after.control && l.link === after.brokenLink));
}

/** The calls among `changes` that can break `control`, oldest first. */
export function changesFor(control: string, changes: readonly ChainChange[]): ChainChange[] {
  return changes
    .filter((c) => c.links.some((l) => l.control === control))
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}
