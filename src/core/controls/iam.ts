/**
 * The IAM actions a control needs, from its record: what its audit reads (plus logs:TestMetricFilter for
 * a pattern control when the confirmation with AWS's own evaluator is on) and what its remediation calls.
 * `cis-bot iam-policy`, the README's IAM section (checked by a test) and the contract test all read these.
 */
import { SECTION_READ_ACTIONS } from './chain';
import { type Control, unhandledKind } from './types';

/**
 * Read only when the optional confirmation with AWS's own evaluator is on (`aws.confirm_patterns`,
 * `cis-bot audit --confirm-patterns`): the events the engine's judgement rests on go to TestMetricFilter.
 */
export const CONFIRM_PATTERN_ACTIONS = ['logs:TestMetricFilter'] as const;

/** The IAM actions an audit of `control` reads, with the confirmation's when it is enabled. */
export function readActionsFor(control: Control, options: { confirmPatterns?: boolean } = {}): string[] {
  switch (control.kind) {
    case 'metric-filter-chain':
      return [...control.readActions, ...(options.confirmPatterns ? CONFIRM_PATTERN_ACTIONS : [])];
    case 'service':
      // No pattern, so nothing to confirm.
      return [...control.readActions];
    default:
      return unhandledKind(control);
  }
}

/**
 * The IAM actions ONE audit of `controls` reads: each control's, plus the shared alarm read of a section
 * when it covers several chain controls. Sorted, each once.
 */
export function auditReadActions(
  controls: readonly Control[],
  options: { confirmPatterns?: boolean } = {},
): string[] {
  const read = new Set(controls.flatMap((c) => readActionsFor(c, options)));
  if (controls.filter((c) => c.kind === 'metric-filter-chain').length > 1) {
    for (const action of SECTION_READ_ACTIONS) read.add(action);
  }
  return [...read].sort();
}

/** The IAM actions the remediation of `control` calls (none when it is guidance only). */
export function remediationActionsFor(control: Control): string[] {
  return [...control.remediationActions];
}
