/**
 * Approvals: the one approval workflow (the entry point for every kind of approval), the handler
 * contract a kind implements, approver authorization and the state machine's words. The ledger
 * (ledger.ts) is the workflow's persistence half and is not used on its own.
 */

export { authorizeApprover, type Decision, isApprover, requiresDistinctApprover } from './authorize';
export { DEFAULT_LEASE_TIMING, ExecutionLeaseLost, HeldLease, type LeaseTiming } from './execution-lease';
export type {
  AnyKindHandler,
  ApprovalKindHandler,
  ApprovalSubject,
  KindTypes,
  ProposeContext,
  Recheck,
  RunContext,
  RunResult,
} from './kind';
export { APPROVED_ABANDONED_AFTER_MS, type MessagePointer, SYSTEM_ACTOR } from './ledger';
export { type ResumeScanner, type ResumeScannerOptions, startResumeScanner } from './resume-scanner';
export {
  canTransition,
  describeActor,
  describeApprovalState,
  isTerminal,
  TRANSITIONS,
} from './state-machine';
export {
  ApprovalWorkflow,
  type ApprovalWorkflowOptions,
  type AutomaticRun,
  type Executed,
  type Execution,
  type KindRegistry,
  type Progress,
  type ProgressListener,
  type ResumeHooks,
  type ResumeOutcome,
} from './workflow';
