/**
 * The automatic-remediation port the scheduler calls for controls whose `default_action` is `remediate`:
 * plan, approve as cis-bot itself, execute and re-audit one account. The core implements it (the approval
 * workflow's `runAutomatically('remediation', ...)`); the scheduler only receives it.
 */
import type { AutomaticRun } from '../approvals/workflow';
import type { RemediationTypes } from '../remediation/remediation-kind';

/** What an automatic remediation ends with: its execution, or the proposal when nothing was approved. */
export type AutoRemediationResult = AutomaticRun<'remediation', RemediationTypes>;

/** Plans, approves as cis-bot, executes and re-audits one account. */
export type AutoRemediate = (control: string, accountId: string) => Promise<AutoRemediationResult>;
