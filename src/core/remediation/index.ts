/** Remediation: the pure planner, plan/execution types, text views, and the platform-neutral workflow. */
export { canonicalJson, sha256Hex } from './canonical';
export { planCard, progressCard, resultCard } from './cards';
export { shellQuote } from './cli-text';
export {
  CONFIRMED_BY_OWNER,
  planKind,
  planRemediation,
  REPAIRABLE_LINKS,
  type RemediationNames,
  remediationFactsRequest,
  remediationNames,
  reusableBotAlarmTopic,
  reusableTopic,
  topicQualifiesForReuse,
  unresolvedBlockers,
} from './planner';
export { renderPlanText, renderResultText, renderStepOutcome } from './render';
export { alarmSpecOf, alarmSpecOfInput, filterSpecOf, filterSpecOfInput, sameSpec } from './specs';
export * from './types';
export {
  type Assessment,
  type ExecutionOutcome,
  type Proposal,
  RemediationWorkflow,
  type RemediationWorkflowDeps,
  type StepListener,
} from './workflow';
