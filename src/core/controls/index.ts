/** The control catalogue: types, the CIS v4.0.0 section-4 data and the registry. */
export { benignEventsFor } from './benign-events';
export {
  CHAIN_READ_ACTIONS,
  CHAIN_REMEDIATION_ACTIONS,
  CIS_V4_SECTION_4,
  CONFIRM_PATTERN_ACTIONS,
  readActionsFor,
} from './cis-v4-section-4';
export { buildRegistry, CONTROLS, type ControlRegistry, getControl, UnknownControlError } from './registry';
export type { BenignEvent, CisMapping, Control, MetricAlarmDefaults, Severity } from './types';
