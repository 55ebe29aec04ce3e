/**
 * How each account status reads in every report format: one table, one entry per status. It is keyed by
 * `AccountStatus`, so a new status (issue 14's ACCEPTED exceptions) fails to compile until its entry is
 * written here, and then every format picks it up. The values are each format's own vocabulary:
 *   - SARIF 2.1.0 `result.kind` / `result.level` (§3.27.9-10: any kind but `fail` has level `none`);
 *   - ASFF `Compliance.Status` (Security Hub turns a PASSED finding's workflow RESOLVED by itself);
 *   - OCSF `compliance.status_id` (1 Pass, 2 Warning: "did not yield a result due to missing
 *     information", 3 Fail) and the finding's lifecycle `status_id` (1 New, 3 Suppressed, 4 Resolved);
 *   - JUnit: a passing test case, a `<failure>`, an `<error>`, or a `<skipped>` for an accepted one;
 *   - an accepted exception (ACCEPTED) still fails: SARIF `fail` with a `suppressions` entry (kind
 *     `external`), ASFF FAILED with `Workflow.Status` SUPPRESSED, OCSF compliance Fail with the finding's
 *     lifecycle status Suppressed (3: "reviewed, determined to be benign ... and is now suppressed");
 *   - severity: the control's own, or informational when nothing is wrong (what Security Hub does for
 *     PASSED control findings).
 */
import type { AccountStatus } from '../evaluate/findings';

export type SarifKind = 'pass' | 'fail' | 'open' | 'review' | 'informational' | 'notApplicable';
export type SarifLevel = 'none' | 'note' | 'warning' | 'error';
export type AsffComplianceStatus = 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE';
/** ASFF `Workflow.Status` values (the AWS model's WorkflowStatus). */
export type AsffWorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';
export type JunitOutcome = 'passed' | 'failure' | 'error' | 'skipped';

export interface StatusMapping {
  sarif: { kind: SarifKind; level: SarifLevel };
  /** `workflow`: set only where the status decides it (an accepted exception is SUPPRESSED). */
  asff: { compliance: AsffComplianceStatus; workflow?: AsffWorkflowStatus };
  ocsf: { complianceStatusId: 1 | 2 | 3; findingStatusId: 1 | 2 | 3 | 4 };
  junit: JunitOutcome;
  /** `control`: the control's severity; `informational`: nothing to act on. */
  severity: 'control' | 'informational';
}

export const STATUS_MAP: Readonly<Record<AccountStatus, StatusMapping>> = {
  COMPLIANT: {
    sarif: { kind: 'pass', level: 'none' },
    asff: { compliance: 'PASSED' },
    ocsf: { complianceStatusId: 1, findingStatusId: 4 },
    junit: 'passed',
    severity: 'informational',
  },
  NON_COMPLIANT: {
    sarif: { kind: 'fail', level: 'error' },
    asff: { compliance: 'FAILED' },
    ocsf: { complianceStatusId: 3, findingStatusId: 1 },
    junit: 'failure',
    severity: 'control',
  },
  ACCEPTED: {
    sarif: { kind: 'fail', level: 'error' },
    asff: { compliance: 'FAILED', workflow: 'SUPPRESSED' },
    ocsf: { complianceStatusId: 3, findingStatusId: 3 },
    junit: 'skipped',
    severity: 'control',
  },
  // The account could not be audited: unknown, not a pass. SARIF's `open` is "the tool was unable to
  // determine" whether the problem is present; ASFF's NOT_AVAILABLE and OCSF's Warning say the same.
  ERROR: {
    sarif: { kind: 'open', level: 'none' },
    asff: { compliance: 'NOT_AVAILABLE' },
    ocsf: { complianceStatusId: 2, findingStatusId: 1 },
    junit: 'error',
    severity: 'control',
  },
};
