/**
 * The plan store port: content-addressed records of exactly what an approval approves (for a remediation,
 * its plan). The hash is the identity: what was shown to the approver is what runs.
 */

export interface PlanRecord {
  /** The plan's content hash: the identity of "exactly what will be done". */
  hash: string;
  control: string;
  accountId: string;
  region?: string;
  createdAt: string;
  plan: unknown;
}

export interface PlanStore {
  /** Idempotent by hash: saving the same hash again keeps the first record. */
  savePlan(plan: PlanRecord): Promise<void>;
  getPlan(hash: string): Promise<PlanRecord | undefined>;
}
