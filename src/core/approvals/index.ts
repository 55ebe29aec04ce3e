/** The approvals domain: state machine, approver authorization, and the workflow over the store port. */
export {
  APPROVED_ABANDONED_AFTER_MS,
  type ApprovalRequest,
  ApprovalService,
  type ApprovalServiceOptions,
  SYSTEM_ACTOR,
} from './approval-service';
export { authorizeApprover, type Decision, isApprover, requiresDistinctApprover } from './authorize';
export {
  canTransition,
  describeActor,
  describeApprovalState,
  isTerminal,
  TRANSITIONS,
} from './state-machine';
