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
  /** The alert of this change while it is not yet posted (JSON); absent once posted, or when there was none. */
  pendingAlert?: unknown;
}

export interface AlertStateStore {
  getAlertState(accountId: string, control: string): Promise<AlertStateRecord | undefined>;
  /**
   * Sets the status to `next` only if the stored status is `expected` (`undefined`: no status recorded
   * yet). True when this call changed it; false when the stored status was something else (another
   * replica got there first), and then nothing changes. `pendingAlert` (JSON) is stored with the new
   * status until `clearPendingAlert`; without it, any pending alert is dropped.
   */
  swapAlertState(
    accountId: string,
    control: string,
    expected: string | undefined,
    next: string,
    at: Date,
    pendingAlert?: unknown,
  ): Promise<boolean>;
  /**
   * The alert of the status `status` was posted: clears it. True when this call cleared it; false when
   * there was none, or the status is another one by now.
   */
  clearPendingAlert(accountId: string, control: string, status: string): Promise<boolean>;
}
