/**
 * The kinds of approval the core registers with the one approval workflow, by name. The composition root
 * (src/runtime.ts) builds one handler per kind; a new kind (exceptions, fire drills) adds its handler type
 * here and its handler there, and nothing in the workflow changes.
 */
import type { ApprovalWorkflow } from './approvals/workflow';
import type { DrillKind } from './drill/drill-kind';
import type { ExceptionKind } from './exceptions/exception-kind';
import type { RemediationKind } from './remediation/remediation-kind';

export type CoreApprovalKinds = {
  remediation: RemediationKind;
  drill: DrillKind;
  exception: ExceptionKind;
};

/** The approval workflow with the core's kinds: what chat, the CLI and the scheduler's wiring use. */
export type CoreApprovals = ApprovalWorkflow<CoreApprovalKinds>;
