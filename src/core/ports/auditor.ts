/**
 * The auditor port: how the chat core and the scheduler ask for an audit without knowing about AWS.
 * `src/aws/auditor.ts` implements it with the SDK; tests may implement it over the sandbox.
 */

import type { AcceptedDeviation } from '../evaluate/accepted-deviations';
import type { ControlsReport } from '../evaluate/controls-report';
import type { AuditReport } from '../evaluate/findings';
import type { AccountSnapshot } from '../snapshot';
import type { AuditProgress } from './audit-progress';

export interface AuditRequest {
  /** Control id, e.g. `4.1`; an unknown id rejects with UnknownControlError. */
  control: string;
  /** Accounts to audit; default: the configured accounts, else the account of the current credentials. */
  accounts?: readonly string[];
  /** Region to start in (DescribeTrails); default: the configured region. */
  region?: string;
  /** Told as accounts complete (a chat message updated, a progress bar). */
  progress?: AuditProgress;
  /**
   * Named deviations in force (approved exceptions that accept one filter pattern as covering a control
   * in an account): the collection reads the alarms of those filters' metrics too, and the evaluation
   * checks the chain through them (evaluate.ts). `withExceptions` passes them; the raw auditor's other
   * callers (the remediation planner, the exception kind) do not, and see what fails.
   */
  deviations?: readonly AcceptedDeviation[];
}

/** An audit of several controls from one shared collection per account (`/cis 4 audit`). */
export interface ControlsAuditRequest extends Omit<AuditRequest, 'control'> {
  /** Control ids, e.g. every id of section 4 (`selectControls(['4'])`); unknown ids reject. */
  controls: readonly string[];
}

export interface AuditOutcome {
  report: AuditReport;
  /** One snapshot per audited account, in the report's order (the remediation planner's input). */
  snapshots: AccountSnapshot[];
}

export interface ControlsAuditOutcome {
  /** Per account a row of verdicts; no snapshots (they are dropped as each account is evaluated). */
  report: ControlsReport;
}

export interface Auditor {
  /** One control, with the snapshots kept (the remediation planner reads them). */
  audit(request: AuditRequest): Promise<AuditOutcome>;
  /** Several controls (a section), each account collected once and shared by every control. */
  auditControls(request: ControlsAuditRequest): Promise<ControlsAuditOutcome>;
}
