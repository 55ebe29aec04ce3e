/**
 * The automatic-remediation port the scheduler calls for controls whose `default_action` is `remediate`:
 * plan, approve as cis-bot itself, execute and re-audit one account. The core implements it (the
 * approval workflow); the scheduler only receives it.
 */
import type { ExecutionOutcome, Proposal } from '../remediation/workflow';

/** What an automatic remediation resolves to: the execution, or why nothing was approved. */
export type AutoRemediationResult = ExecutionOutcome | Exclude<Proposal, { kind: 'plan' }>;

/** Plans, approves as cis-bot, executes and re-audits one account. */
export type AutoRemediate = (control: string, accountId: string) => Promise<AutoRemediationResult>;
