/**
 * `controls.<id>.default_action` in scheduled digests. `notify` (the default) lists failing accounts with
 * Remediate buttons; `skip` still audits and records the control but leaves its failing accounts out of
 * the digest (buildDigest's skipControls); `remediate` (an explicit opt-in) has the scheduler remediate
 * each NON_COMPLIANT account through the AutoRemediate port (the approval workflow's runAutomatically: planned,
 * approved and audit-logged as cis-bot itself) before the digest is built, and the digest reports each
 * outcome. Accounts in ERROR are never remediated: we could not read them.
 *
 * Remediation runs inside the run's lease, so it stops starting new accounts once half the lease is
 * spent (the rest are reported as deferred and retried at the next digest): a run that outlives its
 * lease could be taken over by another replica and posted twice.
 */
import type { ControlOutcome, DigestRemediation } from '../core/digest';
import type { AccountFinding } from '../core/evaluate/findings';
import type { AutoRemediate, AutoRemediationResult } from '../core/ports/auto-remediate';
import type { Logger } from '../core/ports/logger';
import type { ControlSettingsMap, DefaultAction } from '../core/settings';
import { safeMessage } from './audit-run';
import { errorFields } from './log';

export function defaultActionOf(controls: ControlSettingsMap | undefined, control: string): DefaultAction {
  return controls?.[control]?.default_action ?? 'notify';
}

/** The digest's record of one account's automatic remediation. */
export function remediationOf(finding: AccountFinding, result: AutoRemediationResult): DigestRemediation {
  const base = {
    control: finding.control,
    accountId: finding.accountId,
    ...(finding.label !== undefined ? { label: finding.label } : {}),
  };
  if ('proposal' in result) {
    const { proposal } = result;
    if (proposal.kind === 'nothing-to-do') return { ...base, outcome: 'nothing-to-do' };
    const blockers = proposal.plan.guidance.filter((g) => g.severity !== 'note');
    return {
      ...base,
      outcome: 'guidance-only',
      guidance: (blockers.length ? blockers : proposal.plan.guidance).map((g) => g.title),
    };
  }
  const { executed } = result;
  const r = executed.result;
  const outcome =
    r.status === 'compliant'
      ? 'fixed'
      : r.status === 'awaiting-confirmation'
        ? 'awaiting-confirmation'
        : r.status === 'failed'
          ? 'failed'
          : 'not-compliant';
  return {
    ...base,
    outcome,
    steps: {
      done: r.steps.filter((s) => s.status === 'done').length,
      skipped: r.steps.filter((s) => s.status === 'skipped').length,
      total: r.steps.length,
    },
    ...(r.failedStep
      ? {
          failedStep: {
            id: r.failedStep.id,
            title: r.failedStep.title,
            ...(r.failedStep.errorCode !== undefined ? { errorCode: r.failedStep.errorCode } : {}),
            message: r.failedStep.message,
          },
        }
      : {}),
    ...(r.awaitingConfirmation.length
      ? { awaiting: r.awaitingConfirmation.map((p) => ({ protocol: p.protocol, endpoint: p.endpoint })) }
      : {}),
    reaudit:
      'error' in r.reaudit
        ? { error: r.reaudit.error }
        : { status: r.reaudit.status, reason: r.reaudit.reason },
    approvalId: executed.approval.id,
  };
}

export interface RemediateDeps {
  autoRemediate: AutoRemediate;
  log: Logger;
  clock: { now(): Date };
  /** No account is started at or after this instant (half the run's lease). */
  deadline: Date;
  /** Audits one control again (recorded), after its accounts were changed. */
  reaudit(control: string): Promise<ControlOutcome>;
}

/**
 * Remediates the NON_COMPLIANT accounts of the `remediate` controls, one at a time, and returns the
 * outcomes to build the digest from: a control where any step ran is audited again, so the digest shows
 * the accounts as they are now.
 */
export async function remediateOutcomes(
  deps: RemediateDeps,
  schedule: string,
  outcomes: readonly ControlOutcome[],
  actionOf: (control: string) => DefaultAction,
): Promise<{ outcomes: ControlOutcome[]; remediations: DigestRemediation[] }> {
  const remediations: DigestRemediation[] = [];
  const out: ControlOutcome[] = [];
  for (const o of outcomes) {
    if (!('report' in o) || actionOf(o.control) !== 'remediate') {
      out.push(o);
      continue;
    }
    let changed = false;
    for (const finding of o.report.accounts.filter((f) => f.status === 'NON_COMPLIANT')) {
      if (deps.clock.now().getTime() >= deps.deadline.getTime()) {
        remediations.push({
          control: finding.control,
          accountId: finding.accountId,
          ...(finding.label !== undefined ? { label: finding.label } : {}),
          outcome: 'deferred',
          error: 'this run spent its time budget; it is tried again at the next digest',
        });
        continue;
      }
      try {
        const result = await deps.autoRemediate(o.control, finding.accountId);
        if ('executed' in result) changed = true;
        const record = remediationOf(finding, result);
        remediations.push(record);
        deps.log.info('automatic remediation', {
          schedule,
          control: o.control,
          accountId: finding.accountId,
          outcome: record.outcome,
          ...(record.approvalId ? { approvalId: record.approvalId } : {}),
        });
      } catch (error) {
        // One account's refusal or failure must not keep the others (or the digest) from happening. An
        // execution aborted halfway may have changed the account: audit it again.
        changed = true;
        deps.log.error('automatic remediation failed', {
          schedule,
          control: o.control,
          accountId: finding.accountId,
          ...errorFields(error),
        });
        remediations.push({
          control: finding.control,
          accountId: finding.accountId,
          ...(finding.label !== undefined ? { label: finding.label } : {}),
          outcome: 'error',
          error: safeMessage(error),
        });
      }
    }
    if (!changed) {
      out.push(o);
      continue;
    }
    const again = await deps.reaudit(o.control);
    // Without a fresh audit, the first one stands; the remediation lines carry each re-audit's verdict.
    out.push('report' in again ? again : o);
  }
  return { outcomes: out, remediations };
}
