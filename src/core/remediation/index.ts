/**
 * Remediation: the pure planner, plan/execution types, text views, the assessor (audit + plan) and the
 * remediation kind of approval (what the approval workflow runs). Its cards are in core/present.
 */

export { type Assessment, RemediationAssessor, type RemediationAssessorDeps } from './assessor';
export { canonicalJson, sha256Hex } from './canonical';
export { shellQuote } from './cli-text';
export { planKind, unresolvedBlockers } from './plan-assembly';
export { planRemediation } from './planner';
export {
  createRemediationKind,
  REMEDIATION,
  type RemediationExecution,
  type RemediationInput,
  type RemediationKind,
  type RemediationKindDeps,
  type RemediationOutcome,
  type RemediationProposal,
  type RemediationTypes,
  remediationExecution,
} from './remediation-kind';
export { renderPlanText, renderResultText, renderStepOutcome } from './render';
export {
  REPAIRABLE_LINKS,
  type RemediationNames,
  remediationFactsRequest,
  remediationNames,
  reusableBotAlarmTopic,
  reusableTopic,
  topicQualifiesForReuse,
} from './repair-target';
export { alarmSpecOf, alarmSpecOfInput, filterSpecOf, filterSpecOfInput, sameSpec } from './specs';
export { CONFIRMED_BY_OWNER } from './topic-steps';
export * from './types';
