/**
 * The Security Hub port: where an audit's findings are exported (`cis-bot audit --export securityhub`,
 * schedules with `export: { securityhub: true }`). src/aws/security-hub.ts implements it with the SDK's
 * BatchImportFindings and GetFindings; the batching, retry and reporting policy is the core's
 * (src/core/report/security-hub-export.ts), so the adapter stays one call per method.
 */
import { CisBotError } from '../errors';
import type { AuditReport } from '../evaluate/findings';
import type { AsffFinding, HubTarget, PriorFinding } from '../report/asff';

export type { AsffFinding, HubTarget, PriorFinding };

export interface ExportFailure {
  id: string;
  control: string;
  accountId: string;
  code: string;
  message: string;
  /** How many times it was sent (0: not sent, the export stopped before it). */
  attempts: number;
}

export interface ExportSummary {
  /** Absent when cis-bot could not tell which account it runs as. */
  hub?: HubTarget;
  findings: number;
  imported: number;
  failed: ExportFailure[];
  calls: { getFindings: number; batchImportFindings: number };
  /** Findings sent again after a transient refusal. */
  resent: number;
  /** Why the export stopped early (a call failed as a whole), if it did. */
  stopped?: string;
}

/** A finding Security Hub refused in an otherwise accepted call (BatchImportFindings' FailedFindings). */
export interface ImportFailure {
  id: string;
  code: string;
  message: string;
}

export interface PriorFindings {
  findings: Map<string, PriorFinding>;
  /** GetFindings calls made to read them. */
  calls: number;
}

export interface SecurityHubPort {
  /** The Security Hub the findings go to: the account of cis-bot's own credentials, in its region. */
  target(): Promise<HubTarget>;
  /** What Security Hub already holds of these findings (by Id); ids it does not hold are absent. */
  priorFindings(hub: HubTarget, ids: readonly string[]): Promise<PriorFindings>;
  /** One BatchImportFindings call of 1 to 100 findings: the ones Security Hub refused. */
  importFindings(findings: readonly AsffFinding[]): Promise<ImportFailure[]>;
}

/** Exports audit reports' findings (the scheduler's view: built by the runtime over the port above). */
export type FindingsExport = (reports: readonly AuditReport[]) => Promise<ExportSummary>;

/**
 * A Security Hub call failed as a whole (after the SDK's own retries): `awsCode` is AWS's error code
 * (AccessDeniedException, InvalidAccessException when the hub is not enabled...), the message is fit to
 * show (it names the IAM action or what to enable, never the SDK's raw text).
 */
export class SecurityHubError extends CisBotError {
  readonly awsCode: string;
  constructor(awsCode: string, message: string, options?: { cause?: unknown }) {
    super('SECURITY_HUB', message, options);
    this.awsCode = awsCode;
  }
}
