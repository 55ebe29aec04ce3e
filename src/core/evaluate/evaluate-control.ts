/**
 * One control's finding for an account, from the account's one shared snapshot, by the control's kind:
 * the chain evaluation (evaluate.ts) or a service check (service-checks.ts). Every control of a section
 * audit is evaluated from the same snapshot, so the section costs one collection per account.
 */
import { type Control, unhandledKind } from '../controls/types';
import type { AccountSnapshot } from '../snapshot';
import type { AcceptedDeviation } from './accepted-deviations';
import type { AccountLinks } from './account-links';
import { evaluate } from './evaluate';
import type { AccountFinding } from './findings';
import { evaluateService } from './service-checks';

/**
 * `deviations`: the named deviations in force (only a chain control's own apply; see evaluate.ts).
 * `shared`: what the account's controls evaluated from this same snapshot share (account-links.ts).
 */
export function evaluateControl(
  control: Control,
  snap: AccountSnapshot,
  deviations: readonly AcceptedDeviation[] = [],
  shared?: AccountLinks,
): AccountFinding {
  switch (control.kind) {
    case 'metric-filter-chain':
      return evaluate(control, snap, deviations, shared);
    case 'service':
      return evaluateService(control, snap);
    default:
      return unhandledKind(control);
  }
}
