/**
 * The auditor port: how the chat core and the scheduler ask for an audit without knowing about AWS.
 * `src/aws/auditor.ts` implements it with the SDK; tests may implement it over the sandbox.
 */

import type { AuditReport } from '../evaluate/findings';
import type { AccountSnapshot } from '../snapshot';

export interface AuditRequest {
  /** Control id, e.g. `4.1`; an unknown id rejects with UnknownControlError. */
  control: string;
  /** Accounts to audit; default: the configured accounts, else the account of the current credentials. */
  accounts?: readonly string[];
  /** Region to start in (DescribeTrails); default: the configured region. */
  region?: string;
}

export interface AuditOutcome {
  report: AuditReport;
  /** One snapshot per audited account, in the report's order (the remediation planner's input). */
  snapshots: AccountSnapshot[];
}

export interface Auditor {
  audit(request: AuditRequest): Promise<AuditOutcome>;
}
