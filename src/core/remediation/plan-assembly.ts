/**
 * A plan as a whole: assembling it from its target, steps and guidance with its content hash (what an
 * approval is bound to), and what it asks of its approvers.
 */
import type { Control } from '../controls/types';
import type { AccountFinding } from '../evaluate/findings';
import { canonicalJson, sha256Hex } from './canonical';
import type { Guidance, Plan, PlanStep, PlanTarget } from './types';

/** The plan with its content hash, which covers what would run (target and steps) for this account. */
export function buildPlan(
  control: Control,
  finding: AccountFinding,
  target: PlanTarget,
  steps: PlanStep[],
  guidance: Guidance[],
): Plan {
  const hash = sha256Hex(
    canonicalJson({ version: 1, control: control.id, accountId: finding.accountId, target, steps }),
  );
  return {
    version: 1,
    control: control.id,
    controlTitle: control.title,
    accountId: finding.accountId,
    target,
    steps,
    guidance,
    finding: {
      status: finding.status,
      ...(finding.brokenLink ? { brokenLink: finding.brokenLink } : {}),
      reason: finding.reason,
    },
    hash,
  };
}

/**
 * The blockers a plan's steps leave in place. The planner only files a `blocker` for what no step of the
 * plan does (a link it does not repair, no subscriber and no remediation.subscription to add one...), so
 * every blocker in the guidance is unresolved.
 */
export function unresolvedBlockers(plan: Plan): Guidance[] {
  return plan.guidance.filter((g) => g.severity === 'blocker');
}

/**
 * What a plan asks of its approvers, in one word. Steps are offered for approval only when they can
 * bring the chain to COMPLIANT: with an unresolved blocker the plan is `guidance-only` (its steps are
 * still shown, as what cis-bot would do once the blocker is dealt with, but nobody can approve them).
 */
export function planKind(plan: Plan): 'nothing-to-do' | 'guidance-only' | 'steps' {
  if (plan.steps.length > 0 && unresolvedBlockers(plan).length === 0) return 'steps';
  return plan.finding.status === 'COMPLIANT' ? 'nothing-to-do' : 'guidance-only';
}
