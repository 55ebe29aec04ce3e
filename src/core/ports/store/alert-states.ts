/**
 * The alert-state store port: the status each control last had per account as the drift alerts saw it
 * (after a re-audit triggered by a CloudTrail event). A change is posted only by whoever moves the state
 * from the status it read to the new one, in ONE compare-and-set, so of several replicas re-auditing the
 * same change exactly one posts it.
 */

/** One control's status in one account, as the drift alerts last recorded it. */
export interface AlertStateRecord {
  accountId: string;
  control: string;
  /** The verdict (COMPLIANT / NON_COMPLIANT / ERROR). */
  status: string;
  /** When this status was recorded. */
  changedAt: string;
}

export interface AlertStateStore {
  getAlertState(accountId: string, control: string): Promise<AlertStateRecord | undefined>;
  /**
   * Sets the status to `next` only if the stored status is `expected` (`undefined`: no status recorded
   * yet). True when this call changed it; false when the stored status was something else (another
   * replica got there first), and then nothing changes.
   */
  swapAlertState(
    accountId: string,
    control: string,
    expected: string | undefined,
    next: string,
    at: Date,
  ): Promise<boolean>;
}
