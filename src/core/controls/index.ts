/** The control catalogue: types, the CIS v4.0.0 section-4 data and the registry. */
export { CHAIN_READ_ACTIONS, CHAIN_REMEDIATION_ACTIONS, CIS_V4_SECTION_4 } from './cis-v4-section-4';
export { buildRegistry, CONTROLS, type ControlRegistry, getControl, UnknownControlError } from './registry';
export type { CisMapping, Control, MetricAlarmDefaults, Severity } from './types';
