/**
 * The control catalogue: one record per control (section-4/), the registry, and what is derived from the
 * records: IAM actions and the API calls that can break each control's links.
 */
export { type BreakingEvent, type BrokenLink, breakingEvents, linksBrokenBy } from './breaking-events';
export {
  CHAIN_READ_ACTIONS,
  CHAIN_REMEDIATION_ACTIONS,
  CIS_METRIC_ALARM,
  SECTION_READ_ACTIONS,
} from './chain';
export { CHAIN_BREAKING_CALLS } from './chain-breaking-calls';
export { auditReadActions, CONFIRM_PATTERN_ACTIONS, readActionsFor, remediationActionsFor } from './iam';
export {
  buildRegistry,
  CONTROLS,
  type ControlRegistry,
  getControl,
  getMetricFilterControl,
  metricFilterControls,
  sectionOf,
  sections,
  selectControls,
  UnknownControlError,
} from './registry';
export { CIS_V4_SECTION_4 } from './section-4';
export {
  type BenignEvent,
  type BreakingCall,
  type CisMapping,
  type Control,
  type ControlKind,
  type MetricAlarmDefaults,
  type MetricFilterControl,
  type PatternVariant,
  type ServiceControl,
  type Severity,
  unhandledKind,
  type VariantRelation,
} from './types';
